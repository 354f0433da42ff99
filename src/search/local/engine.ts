import { unwatchFile, watchFile } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { EngineBuildOptions, EngineBuildReport, OpenOptions, SearchBackend, SearchEngine } from '../engine.js';
import type { SearchIndex } from '../search-index.js';
import { type BuildReport, buildIndex } from './build.js';
import { IndexFormatError, LocalIndex, openIndex } from './local-index.js';
import { CURRENT_FILE, currentBuildDir, IndexNotFoundError } from './location.js';
import { IndexDamagedError } from './verify.js';

/** The local engine's build report: the common figures, and how the files were written. */
export type LocalBuildReport = EngineBuildReport & BuildReport;

/**
 * The local engine: builds in an index folder (INDEX_DIR), the live one
 * named by its `CURRENT` file, each process holding the live build in
 * memory (LocalIndex). A build is written into a new folder and published
 * by replacing `CURRENT`; watching polls that file, which also works on
 * network and container mounts.
 */
export class LocalEngine implements SearchEngine {
  readonly backend: SearchBackend = 'local';

  private constructor(readonly indexDir: string) {}

  /** The engine over an index folder (nothing is read until `open`; `build` creates the folder). */
  static fromFolder(indexDir: string): LocalEngine {
    return new LocalEngine(indexDir);
  }

  get location(): string {
    return this.indexDir;
  }

  /** @throws IndexNotFoundError, IndexDamagedError, IndexFormatError */
  open({ reuse, onFallback }: OpenOptions = {}): Promise<SearchIndex> {
    return openIndex(this.indexDir, {
      reuse: reuse instanceof LocalIndex ? reuse : undefined,
      onFallback: onFallback && ((damage, dir) => onFallback(damage, basename(dir))),
    });
  }

  async currentVersion(): Promise<string | undefined> {
    const dir = await currentBuildDir(this.indexDir);
    return dir ? basename(dir) : undefined;
  }

  watch(onPublished: () => void, { intervalMs = 1000 }: { intervalMs?: number } = {}): () => void {
    const file = join(this.indexDir, CURRENT_FILE);
    const listener = () => onPublished();
    watchFile(file, { interval: intervalMs }, listener);
    return () => unwatchFile(file, listener);
  }

  /** @throws IndexLockedError, IndexWriteError, CorpusError, UsageError (no corpus folder) */
  async build(options: EngineBuildOptions): Promise<LocalBuildReport> {
    const { corpusDir } = options;
    if (!corpusDir)
      throw new UsageError('The local engine builds from a corpus folder: give one with --corpus DIR or CORPUS_DIR.');
    const report = await buildIndex({ ...options, corpusDir, indexDir: this.indexDir });
    return {
      ...report,
      version: basename(report.buildDir),
      ...(report.part === 'delta' ? { note: 'written as a delta beside the unchanged base' } : {}),
    };
  }

  needsBuild(error: unknown): boolean {
    return (
      error instanceof IndexNotFoundError || error instanceof IndexFormatError || error instanceof IndexDamagedError
    );
  }

  async close(): Promise<void> {
    // Nothing of its own: each LocalIndex holds its files and is closed by its holder.
  }
}

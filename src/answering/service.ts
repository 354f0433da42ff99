import { watchFile, unwatchFile } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../embedding/embedder.js';
import { CURRENT_FILE, currentBuildDir } from '../index/location.js';
import type { Answer, Answerer, AskOptions } from './answer.js';
import { openAnswerer } from './load.js';

export interface ServiceOptions {
  /** See MIN_SIMILARITY. */
  minSimilarity?: number;
  onReload?: (buildDir: string) => void;
  onReloadError?: (error: Error) => void;
}

/**
 * The live answerer of a running bot. When `npm run index` publishes a new
 * build, the service opens it and switches over; questions already under way
 * finish on the index they started with, so none fails during the switch.
 */
export class AnswerService {
  private current: Answerer;
  private reloading: Promise<void> | undefined;
  private watching = false;

  private constructor(
    private readonly indexDir: string,
    private readonly embedder: Embedder,
    answerer: Answerer,
    private readonly options: ServiceOptions,
  ) {
    this.current = answerer;
  }

  static async open(indexDir: string, embedder: Embedder, options: ServiceOptions = {}): Promise<AnswerService> {
    return new AnswerService(indexDir, embedder, await openAnswerer(indexDir, embedder, options.minSimilarity), options);
  }

  get answerer(): Answerer {
    return this.current;
  }

  ask(question: string, options?: AskOptions): Promise<Answer> {
    return this.current.ask(question, options);
  }

  /** Opens the live build if it is not the one in use. Resolves when done (or on failure, keeping the old one). */
  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const dir = await currentBuildDir(this.indexDir);
        if (!dir || dir === this.current.index.dir) return;
        this.current = await openAnswerer(this.indexDir, this.embedder, this.options.minSimilarity);
        this.options.onReload?.(this.current.index.dir);
      } catch (error) {
        this.options.onReloadError?.(error as Error);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Polls the index folder's CURRENT pointer (polling also works on network and container mounts). */
  watch(intervalMs = 1000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(join(this.indexDir, CURRENT_FILE), { interval: intervalMs }, () => void this.reload());
  }

  close(): void {
    if (this.watching) unwatchFile(join(this.indexDir, CURRENT_FILE));
    this.watching = false;
  }
}

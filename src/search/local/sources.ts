import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lookup } from '../../corpus/load.js';
import { FILES, type PartName, partFile, writeJson } from './store.js';
import { IndexDamagedError } from './verify.js';

/** One article as its part's sources record it: its file's content hash, and the file's stamp when it was listed. */
export interface SourceRow {
  id: string;
  /** SHA-256 of the file, hex. */
  hash: string;
  file: string;
  /** Size and modification time (ms); absent when the listing had none. */
  stamp?: readonly [bytes: number, mtimeMs: number];
}

/** sources.json: one row per article, in columns (read three times faster than keyed objects at 100,000 articles). */
interface SourcesFile {
  ids: string[];
  /** Each row's hash, one after the other (64 hex characters each). */
  hashes: string;
  files: string[];
  /** Each row's [bytes, mtimeMs], one pair after the other; null, null when not known. */
  stamps: (number | null)[];
}

const HASH_LENGTH = 64;

/**
 * What a part's articles were read from (its `sources.json`): a build
 * compares the corpus with it to find what changed, without reading files
 * whose stamp is as recorded. Kept per part, so that a delta build links the
 * base's and writes only its own, which may also hold new stamps of base
 * files that were touched but found unchanged.
 */
export class PartSources {
  private readonly byId: Map<string, number>;
  private readonly byFile: Map<string, number>;

  private constructor(private readonly stored: SourcesFile) {
    this.byId = new Map(stored.ids.map((id, i) => [id, i]));
    this.byFile = new Map(stored.files.map((file, i) => [file, i]));
  }

  static of(rows: readonly SourceRow[]): PartSources {
    return new PartSources({
      ids: rows.map((r) => r.id),
      hashes: rows.map((r) => r.hash).join(''),
      files: rows.map((r) => r.file),
      stamps: rows.flatMap((r) => (r.stamp ? [r.stamp[0], r.stamp[1]] : [null, null])),
    });
  }

  /**
   * Reads a part's sources file, checked (every id and file a string, every
   * hash 64 characters, every stamp two numbers or none).
   *
   * @throws IndexDamagedError naming the file.
   */
  static async read(dir: string, part: PartName): Promise<PartSources> {
    const file = partFile(part, FILES.sources);
    let stored: Partial<SourcesFile>;
    try {
      stored = JSON.parse(await readFile(join(dir, file), 'utf8')) ?? {};
    } catch {
      throw new IndexDamagedError(dir, file, 'cannot be read');
    }
    if (!isSourcesFile(stored)) throw new IndexDamagedError(dir, file, 'is not a table of article sources');
    return new PartSources(stored);
  }

  async write(dir: string, part: PartName): Promise<void> {
    await writeJson(dir, partFile(part, FILES.sources), this.stored);
  }

  /** The ids of the articles it records. */
  get ids(): readonly string[] {
    return this.stored.ids;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  hash(id: string): string | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.stored.hashes.slice(i * HASH_LENGTH, (i + 1) * HASH_LENGTH);
  }

  stamp(file: string): readonly [number, number] | undefined {
    const i = this.byFile.get(file);
    if (i === undefined) return undefined;
    const { stamps } = this.stored;
    const [bytes, mtimeMs] = [stamps[2 * i], stamps[2 * i + 1]];
    return bytes === null || mtimeMs === null ? undefined : [bytes, mtimeMs];
  }
}

function isSourcesFile(value: Partial<SourcesFile>): value is SourcesFile {
  const { ids, hashes, files, stamps } = value;
  if (!Array.isArray(ids) || !Array.isArray(files) || !Array.isArray(stamps) || typeof hashes !== 'string')
    return false;
  const n = ids.length;
  if (files.length !== n || stamps.length !== 2 * n || hashes.length !== n * HASH_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    if (typeof ids[i] !== 'string' || typeof files[i] !== 'string') return false;
    const [bytes, mtimeMs] = [stamps[2 * i], stamps[2 * i + 1]];
    const none = bytes === null && mtimeMs === null;
    if (!none && !(Number.isInteger(bytes) && (bytes as number) >= 0 && Number.isFinite(mtimeMs))) return false;
  }
  return true;
}

/** Several parts' sources as the lookups loadCorpus takes; the first that knows a key answers (the delta's first). */
export function sourceLookups(parts: readonly PartSources[]): {
  hashes: Lookup<string>;
  stamps: Lookup<readonly [number, number]>;
} {
  const stamp = (file: string) => {
    for (const part of parts) {
      const found = part.stamp(file);
      if (found) return found;
    }
    return undefined;
  };
  const hash = (id: string) => {
    for (const part of parts) {
      const found = part.hash(id);
      if (found) return found;
    }
    return undefined;
  };
  return {
    hashes: { get: hash, has: (id) => parts.some((p) => p.has(id)) },
    stamps: { get: stamp, has: (file) => stamp(file) !== undefined },
  };
}

import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SentenceSpan } from '../../arabic/sentences.js';
import type { ArticleMeta } from '../../corpus/article.js';
import type { ChunkOptions, ChunkRange } from '../../corpus/chunks.js';
import { HalfTable } from './halves.js';

/** Bumped whenever the files below, or how text is analysed for them, change: old builds are then rebuilt. */
export const FORMAT_VERSION = 11;

export const FILES = {
  manifest: 'manifest.json',
  /** UTF-16LE JSON (ARTICLES_ENCODING). */
  articles: 'articles.utf16.json',
  sentenceVectors: 'sentence-vectors.f32',
  chunkVectors: 'chunk-vectors.f32',
  /** Each passage's text fingerprint (passageFingerprint), float64, in the order of the vector tables. */
  sentenceKeys: 'sentence-keys.f64',
  chunkKeys: 'chunk-keys.f64',
  sentenceHnsw: 'sentences.hnsw',
  chunkHnsw: 'chunks.hnsw',
  sentenceLexical: 'sentences.lexical',
  chunkLexical: 'chunks.lexical',
  sources: 'sources.json',
} as const;

/**
 * A build's articles are in one part, the base, or two: the base and a
 * delta holding the articles added since the base was written whole. Each
 * part has its own PART_FILES (the delta's names start with `delta.`); the
 * HNSW graphs are the build's, holding every part's passages, as a full
 * build's graph would, so that answers do not depend on how the build was
 * split. An incremental build that only adds articles writes the small
 * delta and hard-links the rest from the build before, graphs included:
 * the delta's newest passages (`Manifest.pending`) are added to the
 * graphs when the build is opened, as a database replays its log, until
 * there are more than MAX_PENDING_PASSAGES of them and a build writes the
 * graphs with them.
 */
export type PartName = 'base' | 'delta';

/** The files each part has; the others of FILES (the graphs and the manifest) are the build's. */
export const PART_FILES: readonly string[] = [
  FILES.articles,
  FILES.sentenceVectors,
  FILES.chunkVectors,
  FILES.sentenceKeys,
  FILES.chunkKeys,
  FILES.sentenceLexical,
  FILES.chunkLexical,
  FILES.sources,
];

/** The name of one of PART_FILES in a part of a build. */
export function partFile(part: PartName, file: string): string {
  return part === 'base' ? file : `delta.${file}`;
}

export interface Counts {
  articles: number;
  sentences: number;
  chunks: number;
}

/** The parts of a build and what each holds, base first. */
export function partsOf(manifest: Pick<Manifest, 'counts' | 'delta'>): { name: PartName; counts: Counts }[] {
  const { counts, delta } = manifest;
  if (!delta) return [{ name: 'base', counts }];
  return [
    {
      name: 'base',
      counts: {
        articles: counts.articles - delta.articles,
        sentences: counts.sentences - delta.sentences,
        chunks: counts.chunks - delta.chunks,
      },
    },
    { name: 'delta', counts: delta },
  ];
}

/**
 * The rows of a passage table that `add` keeps (by label), in label order:
 * the passages a graph is missing, in the order a full build would have
 * added them. Builds that write the graphs and builds opened with pending
 * passages add them in this one order, so the graph is the same either way.
 */
export function rowsAdded(labels: readonly number[], add: (label: number) => boolean): number[] {
  const rows: number[] = [];
  for (const [row, label] of labels.entries()) if (add(label)) rows.push(row);
  return rows.sort((a, b) => labels[a] - labels[b]);
}

/**
 * The passages of one part that its graph entries are: of the passages with
 * one text (one fingerprint, so one vector), the one with the smallest
 * label. The graphs hold one vector per distinct text of each part, under
 * that label; a hit on it stands for every passage of the build with that
 * text (LocalIndex.denseSearch). A delta's text already in the base has an
 * entry of its own (the base is not read when a delta is written): the
 * expansion, by fingerprint, finds the passages of both.
 */
export function representatives(labels: ArrayLike<number>, keys: ArrayLike<number>): Set<number> {
  const smallest = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const known = smallest.get(keys[i]);
    if (known === undefined || labels[i] < known) smallest.set(keys[i], labels[i]);
  }
  return new Set(smallest.values());
}

/** An article as stored in the index: its source, sentences and chunks. */
export interface StoredArticle extends ArticleMeta {
  hash: string;
  file: string;
  sentences: SentenceSpan[];
  chunks: ChunkRange[];
  /**
   * The labels of its sentences and chunks in the HNSW and BM25 indexes. They
   * stay the same while the article does, so a rebuild only removes and adds
   * the passages of articles that changed.
   */
  labels: { sentences: number[]; chunks: number[] };
}

/** How a file of a build is recorded in its manifest, to be checked before use (see verify.ts). */
export interface FileRecord {
  bytes: number;
  /** SHA-256 of the file, or, for a large one, of a fixed sample of it. */
  sha256: string;
}

export interface Manifest {
  formatVersion: number;
  model: string;
  dimension: number;
  space: 'cosine';
  chunking: ChunkOptions;
  /** What the whole build holds (every part). */
  counts: Counts;
  /** What its delta part holds, if it has one (the rest is the base's). */
  delta?: Counts;
  /** The next free passage label. */
  nextLabel: number;
  /**
   * The passages that are not in the graph files: those labelled from
   * `from` on (all in the delta), added to the graphs in label order when
   * the build is opened. Absent: the graph files hold every passage.
   */
  pending?: { from: number; sentences: number; chunks: number };
  /** How many vectors each graph file holds that searches can find (one per distinct text of each part, pending ones aside). */
  graphSizes: { sentences: number; chunks: number };
  createdAt: string;
  buildSeconds: number;
  /** Every other file of the build, with its size and fingerprint. */
  files: Record<string, FileRecord>;
}

/** Article vectors, row-major, in the order of the article list. */
export interface VectorTable {
  dimension: number;
  data: Float32Array;
}

export async function writeJson(dir: string, file: string, value: unknown): Promise<void> {
  await writeFile(join(dir, file), JSON.stringify(value));
}

/**
 * Writes an array as JSON a slice of items at a time: the bytes writeJson
 * would write, without the whole text in memory at once (the articles of
 * 100,000 articles are 228 MB of JSON, twice that as a string, at the
 * moment a full build's memory peaks).
 */
export async function writeJsonArray(
  dir: string,
  file: string,
  items: readonly unknown[],
  { slice = 1000, encoding = 'utf8' }: { slice?: number; encoding?: BufferEncoding } = {},
): Promise<void> {
  const handle = await open(join(dir, file), 'w');
  try {
    await handle.write('[', null, encoding);
    for (let i = 0; i < items.length; i += slice) {
      const text = items
        .slice(i, i + slice)
        .map((item) => JSON.stringify(item))
        .join(',');
      await handle.write(i > 0 ? `,${text}` : text, null, encoding);
    }
    await handle.write(']', null, encoding);
  } finally {
    await handle.close();
  }
}

/**
 * The articles' JSON is written in UTF-16LE, the encoding V8 holds Arabic
 * strings in: reading it back is a copy, where decoding UTF-8 took longer
 * than parsing (1.7 s of a 100,000-article archive's 228 MB, against 0.25 s;
 * the file is a third larger).
 */
export const ARTICLES_ENCODING = 'utf16le' satisfies BufferEncoding;

export async function readJson<T>(dir: string, file: string, encoding: BufferEncoding = 'utf8'): Promise<T> {
  return JSON.parse((await readFile(join(dir, file))).toString(encoding)) as T;
}

/** Writes a table of vectors or fingerprints (rows one after the other). */
export async function writeTable(dir: string, file: string, data: Float32Array | Float64Array): Promise<void> {
  await writeFile(join(dir, file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Reads a table of passage fingerprints (FILES.sentenceKeys, chunkKeys). */
export async function readKeys(dir: string, file: string): Promise<Float64Array> {
  const bytes = await readFile(join(dir, file));
  const keys = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(keys.buffer).set(bytes);
  return keys;
}

export async function readVectors(dir: string, file: string, dimension: number): Promise<VectorTable> {
  const bytes = await readFile(join(dir, file));
  // Copy into an aligned buffer: Buffer slices may start at any byte offset.
  const data = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { dimension, data };
}

/** Row `i` of a vector table, as a view (no copy). */
export function row(table: VectorTable, i: number): Float32Array {
  return table.data.subarray(i * table.dimension, (i + 1) * table.dimension);
}

/** Closes the files of vector tables that are no longer used (a replaced build's). */
const openTables = new FinalizationRegistry<number>((fd) => closeSync(fd));

/**
 * A vector table read from its file as rows are needed (positional reads:
 * the operating system's page cache holds the hot ones, outside the
 * process's memory). Rows come back exactly as stored.
 */
export class VectorFile {
  private readonly fd: number;
  private buffer = new Float32Array(0);
  private closed = false;

  constructor(
    path: string,
    readonly dimension: number,
  ) {
    this.fd = openSync(path, 'r');
    openTables.register(this, this.fd, this);
  }

  /**
   * Reads the whole table once, in the background (libuv's threads), into
   * half-precision copies of its rows: questions order sentences with them
   * rather than waiting for the disk (see LocalIndex.rankBySimilarity). The
   * read also leaves the table's pages in the operating system's page cache,
   * as a database's prewarm does, for the rows still read exactly.
   * Converts a piece at a time, so the event loop is never held long;
   * resolves to undefined if the file is closed meanwhile.
   */
  async readHalves(pieceBytes = 2 ** 20): Promise<HalfTable | undefined> {
    const rowBytes = this.dimension * 4;
    const rows = Math.floor(fstatSync(this.fd).size / rowBytes);
    const halves = new HalfTable(rows, this.dimension);
    const piece = new Float32Array(Math.max(1, Math.floor(pieceBytes / rowBytes)) * this.dimension);
    const bytes = new Uint8Array(piece.buffer);
    for (let position = 0; !halves.complete; ) {
      const bytesRead = await new Promise<number>((resolve) =>
        read(this.fd, bytes, 0, bytes.length, position, (error, n) => resolve(error ? -1 : n)),
      );
      if (this.closed) return undefined;
      const rowsRead = Math.floor(bytesRead / rowBytes);
      if (rowsRead <= 0)
        throw new Error(`vector table: ${rows} rows expected, cannot read past row ${position / rowBytes}`);
      halves.append(piece.subarray(0, rowsRead * this.dimension));
      position += rowsRead * rowBytes;
    }
    return halves;
  }

  /** Closes the file now (rather than when the table is garbage collected). */
  close(): void {
    if (!openTables.unregister(this)) return; // closed already
    this.closed = true;
    closeSync(this.fd);
  }

  /**
   * Calls `use` with each of the given rows, in the order given; a run of
   * consecutive rows is read at once. The row passed is only valid during
   * the call.
   */
  forEachRow(rows: readonly number[], use: (vector: Float32Array, i: number) => void): void {
    const rowBytes = this.dimension * 4;
    for (let start = 0; start < rows.length; ) {
      let end = start + 1;
      while (end < rows.length && rows[end] === rows[end - 1] + 1) end++;
      const count = end - start;
      if (this.buffer.length < count * this.dimension) this.buffer = new Float32Array(count * this.dimension * 2);
      const bytes = new Uint8Array(this.buffer.buffer, 0, count * rowBytes);
      const read = readSync(this.fd, bytes, 0, bytes.length, rows[start] * rowBytes);
      if (read !== bytes.length) throw new Error(`vector table: rows ${rows[start]}…${rows[end - 1]} are missing`);
      for (let i = start; i < end; i++) {
        const offset = (i - start) * this.dimension;
        use(this.buffer.subarray(offset, offset + this.dimension), i);
      }
      start = end;
    }
  }
}

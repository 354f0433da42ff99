import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';

/** Everything needed to write one kind of passage's HNSW graph and BM25 index; can cross to a worker thread. */
export interface SearchFilesJob {
  dimension: number;
  /** Every passage's vector, row-major, in article order (a SharedArrayBuffer when sent to a worker). */
  table: Float32Array;
  /** Every passage's label, in article order (row i has label labels[i]). */
  labels: number[];
  /** Rows new in this build, and their texts. */
  added: { rows: number[]; texts: string[] };
  /** Labels of the previous build's passages that are gone. */
  removed: number[];
  /** The previous build's files, updated in place; absent: built anew. */
  previous?: { hnsw: string; lexical: string; size: number };
  out: { hnsw: string; lexical: string };
}

/** Seconds spent per step. */
export interface SearchFilesTimings {
  hnsw: number;
  lexical: number;
  write: number;
}

/**
 * Writes a passage set's HNSW graph and BM25 index: the previous build's,
 * updated in place (removed passages deleted, new ones added), or new ones.
 */
export async function writeSearchFiles(job: SearchFilesJob): Promise<SearchFilesTimings> {
  const { dimension, table, labels, added, removed, previous, out } = job;
  const seconds = (since: number) => (performance.now() - since) / 1000;
  const row = (r: number) => table.subarray(r * dimension, (r + 1) * dimension);
  const addedLabels = added.rows.map((r) => labels[r]);

  let started = performance.now();
  let hnsw: HnswIndex;
  if (previous) {
    hnsw = HnswIndex.read(previous.hnsw, dimension, { size: previous.size });
    hnsw.remove(removed);
    hnsw.add(added.rows.map(row), addedLabels);
  } else {
    hnsw = HnswIndex.build(added.rows.map(row), dimension, { labels: addedLabels });
  }
  const hnswSeconds = seconds(started);
  started = performance.now();
  hnsw.write(out.hnsw);
  let write = seconds(started);

  started = performance.now();
  const lexical = previous
    ? (await LexicalIndex.read(previous.lexical)).update({
        removed,
        added: { texts: added.texts, ids: addedLabels },
        order: labels,
      })
    : LexicalIndex.build(added.texts, addedLabels);
  const lexicalSeconds = seconds(started);
  started = performance.now();
  await lexical.write(out.lexical);
  write += seconds(started);
  return { hnsw: hnswSeconds, lexical: lexicalSeconds, write };
}

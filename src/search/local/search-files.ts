import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';

/**
 * Everything needed to write one kind of passage's HNSW graph (the whole
 * build's) and BM25 index (the part's); can cross to a worker thread.
 */
export interface SearchFilesJob {
  dimension: number;
  /** The part's passages' vectors, row-major, in article order (a SharedArrayBuffer when sent to a worker). */
  table: Float32Array;
  /** The part's passages' labels, in article order (row i has label labels[i]). */
  labels: number[];
  /**
   * The graph: rows to add (in this order), labels gone, the previous build's
   * graph to update in place (absent: built anew). Absent: the build keeps
   * the previous build's graph files.
   */
  hnsw?: { added: number[]; removed: number[]; previous?: { file: string; size: number }; out: string };
  /** The part's BM25 index: rows to add with their texts, labels gone, the previous one to update in place (absent: built anew). */
  lexical: { added: { rows: number[]; texts: string[] }; removed: number[]; previous?: string; out: string };
}

/** Seconds spent per step. */
export interface SearchFilesTimings {
  hnsw: number;
  lexical: number;
  write: number;
}

/**
 * Writes a passage set's HNSW graph (if the job has one) and BM25 index: the
 * previous build's, updated in place (removed passages deleted, new ones
 * added), or new ones.
 */
export async function writeSearchFiles(job: SearchFilesJob): Promise<SearchFilesTimings> {
  const { dimension, table, labels, hnsw: graph, lexical: bm25 } = job;
  const seconds = (since: number) => (performance.now() - since) / 1000;
  const row = (r: number) => table.subarray(r * dimension, (r + 1) * dimension);

  let started = performance.now();
  let hnswSeconds = 0;
  let write = 0;
  if (graph) {
    const graphLabels = graph.added.map((r) => labels[r]);
    let hnsw: HnswIndex;
    if (graph.previous) {
      hnsw = HnswIndex.read(graph.previous.file, dimension, { size: graph.previous.size });
      hnsw.remove(graph.removed);
      hnsw.add(graph.added.map(row), graphLabels);
    } else {
      hnsw = HnswIndex.build(graph.added.map(row), dimension, { labels: graphLabels });
    }
    hnswSeconds = seconds(started);
    started = performance.now();
    hnsw.write(graph.out);
    write = seconds(started);
  }

  started = performance.now();
  const added = { texts: bm25.added.texts, ids: bm25.added.rows.map((r) => labels[r]) };
  const lexical = bm25.previous
    ? (await LexicalIndex.read(bm25.previous)).update({ removed: bm25.removed, added, order: labels })
    : LexicalIndex.build(added.texts, added.ids);
  const lexicalSeconds = seconds(started);
  started = performance.now();
  await lexical.write(bm25.out);
  write += seconds(started);
  return { hnsw: hnswSeconds, lexical: lexicalSeconds, write };
}

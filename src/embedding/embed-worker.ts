/**
 * A worker thread of TransformersEmbedder.embedPassages: loads the same model
 * and embeds its share of the passages straight into the shared vector table.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEmbedder, type EmbedderOptions } from './embedder.js';

interface Job {
  options: EmbedderOptions;
  /** Batches of rows of the table, each of passages of similar lengths. */
  batches: number[][];
  /** The passages of those rows, batch after batch. */
  texts: string[];
  table: SharedArrayBuffer;
  dimension: number;
}

const { options, batches, texts, table, dimension } = workerData as Job;
const embedder = await createEmbedder({ ...options, threads: 1 });
const out = new Float32Array(table);
let next = 0;
for (const batch of batches) {
  const vectors = await embedder.embedPassages(texts.slice(next, next + batch.length));
  next += batch.length;
  for (const [k, row] of batch.entries()) out.set(vectors[k], row * dimension);
  parentPort?.postMessage(batch.length);
}
if (embedder.spent) parentPort?.postMessage(embedder.spent);

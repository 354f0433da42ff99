import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Answerer, type AnswererOptions } from '../answering/answer.js';
import type { ChunkOptions } from '../corpus/chunks.js';
import type { Embedder } from '../embedding/embedder.js';
import { buildIndex } from '../index/build.js';
import { openIndex, type SearchIndex } from '../index/open.js';
import { readDataset, writeArticles, type EvalDataset } from './datasets.js';
import { summarize, type EvalRecord, type EvalSummary } from './metrics.js';

export interface EvalOptions {
  embedder: Embedder;
  /** The index to ask (our question format); SQuAD data gets a temporary one. */
  indexDir: string;
  chunking: ChunkOptions;
  answerer?: AnswererOptions;
  count?: number;
}

/** Indexes a SQuAD dataset's articles into a temporary folder and opens it. */
export async function indexDatasetArticles(dataset: EvalDataset, embedder: Embedder, chunking: ChunkOptions) {
  const work = await mkdtemp(join(tmpdir(), 'qa-eval-'));
  await writeArticles(join(work, 'corpus'), dataset.articles ?? []);
  await buildIndex({ corpusDir: join(work, 'corpus'), indexDir: join(work, 'index'), embedder, chunking });
  return { index: await openIndex(join(work, 'index')), cleanup: () => rm(work, { recursive: true, force: true }) };
}

/** Asks every question of a dataset and scores the answers. */
export async function evaluate(index: SearchIndex, dataset: EvalDataset, options: EvalOptions) {
  const answerer = new Answerer(index, options.embedder, options.answerer);
  const records: EvalRecord[] = [];
  for (const question of dataset.questions) {
    const started = performance.now();
    const answer = await answerer.ask(question.question, { count: options.count ?? 3 });
    records.push({ question, answer, ms: performance.now() - started });
  }
  return { summary: summarize(records), records };
}

/** Evaluates a dataset file end to end: reads it, indexes it if it is SQuAD, asks, scores. */
export async function evaluateFile(file: string, options: EvalOptions): Promise<{ summary: EvalSummary; records: EvalRecord[] }> {
  const dataset = await readDataset(file);
  if (!dataset.articles) return evaluate(await openIndex(options.indexDir), dataset, options);
  const { index, cleanup } = await indexDatasetArticles(dataset, options.embedder, options.chunking);
  try {
    return await evaluate(index, dataset, options);
  } finally {
    await cleanup();
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnswerOptions } from '../answering/options.js';
import { AnswerService } from '../answering/service.js';
import type { ChunkOptions } from '../corpus/chunks.js';
import type { Embedder } from '../embedding/embedder.js';
import { buildIndex } from '../search/local/build.js';
import { type EvalDataset, readDataset, writeArticles } from './datasets.js';
import { type EvalRecord, type EvalSummary, summarize } from './metrics.js';

export interface EvalOptions {
  embedder: Embedder;
  /** The index to ask (our question format); SQuAD data gets a temporary one. */
  indexDir: string;
  chunking: ChunkOptions;
  /** See MIN_SIMILARITY. */
  minSimilarity?: number;
  /** Answer options instead of the model's calibrated ones (for tuning). */
  answerOptions?: AnswerOptions;
  /** Quotes per question. Default 3. */
  count?: number;
}

/** Indexes a SQuAD dataset's articles into a temporary folder. */
export async function indexDatasetArticles(dataset: EvalDataset, embedder: Embedder, chunking: ChunkOptions) {
  const work = await mkdtemp(join(tmpdir(), 'qa-eval-'));
  await writeArticles(join(work, 'corpus'), dataset.articles ?? []);
  await buildIndex({ corpusDir: join(work, 'corpus'), indexDir: join(work, 'index'), embedder, chunking });
  return { indexDir: join(work, 'index'), cleanup: () => rm(work, { recursive: true, force: true }) };
}

/** Asks every question of a dataset, the way the bot and `ask` do, and scores the answers. */
export async function evaluate(
  dataset: EvalDataset,
  options: EvalOptions,
): Promise<{ summary: EvalSummary; records: EvalRecord[] }> {
  const service = await AnswerService.open(options);
  const records: EvalRecord[] = [];
  try {
    for (const question of dataset.questions) {
      const started = performance.now();
      const answer = await service.ask(question.question, { count: options.count ?? 3 });
      records.push({ question, answer, ms: performance.now() - started });
    }
  } finally {
    service.close(); // lets go of the index's files (and what it still reads in the background)
  }
  return { summary: summarize(records), records };
}

/** Evaluates a dataset file end to end: reads it, indexes it if it is SQuAD, asks, scores. */
export async function evaluateFile(
  file: string,
  options: EvalOptions,
): Promise<{ summary: EvalSummary; records: EvalRecord[] }> {
  const dataset = await readDataset(file);
  if (!dataset.articles) return evaluate(dataset, options);
  const { indexDir, cleanup } = await indexDatasetArticles(dataset, options.embedder, options.chunking);
  try {
    return await evaluate(dataset, { ...options, indexDir });
  } finally {
    await cleanup();
  }
}

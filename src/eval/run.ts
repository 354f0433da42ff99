import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnswerOptions } from '../answering/options.js';
import { AnswerService } from '../answering/service.js';
import type { ChunkOptions } from '../corpus/chunks.js';
import type { Embedder } from '../embedding/embedder.js';
import { UsageError } from '../errors.js';
import type { SearchEngine } from '../search/engine.js';
import { openEngine } from '../search/open-engine.js';
import { type EvalDataset, readDataset, writeArticles } from './datasets.js';
import { type EvalRecord, type EvalSummary, summarize } from './metrics.js';

export interface EvalOptions {
  embedder: Embedder;
  /** The engine to ask (our question format; SQuAD data gets a temporary index of its own, see scratchEngine). */
  engine: SearchEngine;
  /**
   * The engine a SQuAD dataset's articles are indexed in, given a temporary
   * folder. Default: the local engine in that folder, whatever SEARCH_BACKEND
   * says, so that an evaluation never writes into the archive.
   */
  scratchEngine?: (dir: string) => Promise<SearchEngine>;
  chunking: ChunkOptions;
  /** See MIN_SIMILARITY. */
  minSimilarity?: number;
  /** Answer options instead of the model's calibrated ones (for tuning). */
  answerOptions?: AnswerOptions;
  /** Quotes per question. Default 3. */
  count?: number;
}

const localScratch = (dir: string) =>
  openEngine({ indexDir: dir, search: { backend: 'local', databaseUrl: undefined } });

/** Indexes a SQuAD dataset's articles into a temporary folder (see EvalOptions.scratchEngine). */
export async function indexDatasetArticles(
  dataset: EvalDataset,
  embedder: Embedder,
  chunking: ChunkOptions,
  scratchEngine: (dir: string) => Promise<SearchEngine> = localScratch,
) {
  const work = await mkdtemp(join(tmpdir(), 'qa-eval-'));
  await writeArticles(join(work, 'corpus'), dataset.articles ?? []);
  const engine = await scratchEngine(join(work, 'index'));
  await engine.build({ corpusDir: join(work, 'corpus'), embedder, chunking });
  return {
    engine,
    cleanup: async () => {
      await engine.close();
      await rm(work, { recursive: true, force: true });
    },
  };
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
  options: Omit<EvalOptions, 'engine'> & { engine?: SearchEngine },
): Promise<{ summary: EvalSummary; records: EvalRecord[] }> {
  const dataset = await readDataset(file);
  if (!dataset.articles) {
    if (!options.engine) throw new UsageError(`${file} asks about the archive: give the index to ask (--index).`);
    return evaluate(dataset, { ...options, engine: options.engine });
  }
  const { engine, cleanup } = await indexDatasetArticles(
    dataset,
    options.embedder,
    options.chunking,
    options.scratchEngine,
  );
  try {
    return await evaluate(dataset, { ...options, engine });
  } finally {
    await cleanup();
  }
}

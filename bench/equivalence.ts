/**
 * The postgres engine against the local engine on one dataset: the same
 * articles built by both, every question asked of both the way the bot asks
 * (AnswerService), and compared: hit@1 and hit@3 of each, the questions whose
 * first quote differs, and the round trips the database served per question.
 *
 *   node --import tsx bench/equivalence.ts DATABASE_URL [seed|arcd] [--json]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnswerService } from '../src/answering/service.js';
import type { ChunkOptions } from '../src/corpus/chunks.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { type EvalDataset, readDataset, writeArticles } from '../src/eval/datasets.js';
import { type EvalRecord, summarize } from '../src/eval/metrics.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import type { PostgresIndex } from '../src/search/postgres/postgres-index.js';
import { ARCD, CORPUS_DIR, SEED_QA } from '../test/helpers/paths.js';

export interface EngineComparison {
  questions: number;
  local: { hitAt1: number; hitAt3: number };
  postgres: { hitAt1: number; hitAt3: number };
  /** Questions whose first quote (or its absence) is the same on both: the same text from the same article. */
  sameFirstQuote: number;
  sameFirstQuoteShare: number;
  /** Questions whose three quotes are the same on both. */
  sameQuotes: number;
  /** Where the first quotes differ: the question and each engine's first quote. */
  differences: { id: string; question: string; local?: string; postgres?: string }[];
  /** Database round trips per question (mean), and the most any question took. */
  roundTrips: { mean: number; max: number };
}

async function ask(
  service: AnswerService,
  dataset: EvalDataset,
  onQuestion?: () => number,
): Promise<{ records: EvalRecord[]; trips: number[] }> {
  const records: EvalRecord[] = [];
  const trips: number[] = [];
  for (const question of dataset.questions) {
    const before = onQuestion?.() ?? 0;
    const started = performance.now();
    const answer = await service.ask(question.question, { count: 3 });
    records.push({ question, answer, ms: performance.now() - started });
    trips.push((onQuestion?.() ?? 0) - before);
  }
  return { records, trips };
}

/**
 * Builds `corpusDir` with both engines (postgres into `databaseUrl`, emptied of nothing: a fresh database is
 * expected) and compares their answers. `changes`: each one edits the corpus folder (articles removed, added,
 * changed), and both engines build again incrementally after it, so that the answers compared are those after
 * a history of builds, not only a first one.
 */
export async function compareEngines(
  dataset: EvalDataset,
  corpusDir: string,
  databaseUrl: string,
  embedder: Embedder,
  chunking: ChunkOptions,
  changes: readonly ((corpusDir: string) => void | Promise<void>)[] = [],
): Promise<EngineComparison> {
  const local = LocalEngine.fromFolder(join(mkdtempSync(join(tmpdir(), 'equivalence-')), 'embeddings'));
  const postgres = await PostgresEngine.connect(databaseUrl);
  try {
    await local.build({ corpusDir, embedder, chunking });
    await postgres.build({ corpusDir, embedder, chunking });
    for (const change of changes) {
      await change(corpusDir);
      await local.build({ corpusDir, embedder, chunking });
      await postgres.build({ corpusDir, embedder, chunking });
    }
    const localService = await AnswerService.open({ engine: local, embedder });
    const postgresService = await AnswerService.open({ engine: postgres, embedder });
    try {
      const mine = await ask(postgresService, dataset, () => (postgresService.index as PostgresIndex).roundTrips);
      const theirs = await ask(localService, dataset);
      const differences: EngineComparison['differences'] = [];
      let sameQuotes = 0;
      for (const [i, record] of mine.records.entries()) {
        // A quote is its text and its article: an article twice in the archive gives the same text twice.
        const a = theirs.records[i].answer.quotes.map((q) => `${q.articleId}: ${q.text}`);
        const b = record.answer.quotes.map((q) => `${q.articleId}: ${q.text}`);
        if (a.join('\n') === b.join('\n')) sameQuotes++;
        if (a[0] !== b[0])
          differences.push({ id: record.question.id, question: record.question.question, local: a[0], postgres: b[0] });
      }
      const [l, p] = [summarize(theirs.records), summarize(mine.records)];
      const n = dataset.questions.length;
      return {
        questions: n,
        local: { hitAt1: l.hitAt1, hitAt3: l.hitAt3 },
        postgres: { hitAt1: p.hitAt1, hitAt3: p.hitAt3 },
        sameFirstQuote: n - differences.length,
        sameFirstQuoteShare: (n - differences.length) / n,
        sameQuotes,
        differences,
        roundTrips: {
          mean: mine.trips.reduce((a, b) => a + b, 0) / Math.max(1, n),
          max: Math.max(0, ...mine.trips),
        },
      };
    } finally {
      localService.close();
      postgresService.close();
    }
  } finally {
    await postgres.close();
    await local.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createEmbedder } = await import('../src/embedding/embedder.js');
  const { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } = await import('../src/embedding/models.js');
  const [url, which = 'seed'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const embedder = await createEmbedder({
    model: BUILT_IN_MODEL,
    modelsDir: BUILT_IN_MODELS_DIR,
    allowRemoteModels: false,
    batchSize: 32,
  });
  const dataset = await readDataset(which === 'arcd' ? ARCD : SEED_QA);
  let corpusDir = CORPUS_DIR;
  if (dataset.articles) {
    corpusDir = join(mkdtempSync(join(tmpdir(), 'equivalence-corpus-')), 'corpus');
    await writeArticles(corpusDir, dataset.articles);
  }
  const result = await compareEngines(dataset, corpusDir, url, embedder, { maxChars: 600, overlap: 1 });
  process.stdout.write(`${JSON.stringify(result, null, process.argv.includes('--json') ? undefined : 2)}\n`);
}

/**
 * The postgres engine at one archive size, beside the local engine on the same
 * corpus and machine: build time (and its phases), database size, warm answer
 * latency (p50/p95 over the seed, off-topic and ARCD questions), database
 * round trips per question, and one article added. The database is PGlite
 * (PostgreSQL 18 + pgvector 0.8 in WebAssembly) over its wire protocol, started
 * here (test/helpers/postgres.ts), unless DATABASE_URL names another (emptied first!).
 *
 *   node --import tsx bench/postgres.ts SIZE   (0: the five seed articles)
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import type { PostgresIndex } from '../src/search/postgres/postgres-index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { benchWarm } from './answering.js';
import { seedCorpus, syntheticCorpus } from './corpora.js';
import { round } from './stats.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const CHUNKING = { maxChars: 600, overlap: 1 };

export async function benchPostgres(size: number, databaseUrl?: string) {
  const work = mkdtempSync(join(tmpdir(), `bench-postgres-${size}-`));
  const corpus = join(work, 'corpus');
  if (size === 0) seedCorpus(corpus);
  else {
    const all = await syntheticCorpus(join(work, 'all'), size + 1);
    const files = readdirSync(all).sort();
    await import('node:fs').then(({ mkdirSync }) => mkdirSync(corpus));
    for (const f of files.slice(0, size)) writeFileSync(join(corpus, f), readFileSync(join(all, f)));
    writeFileSync(join(work, 'extra.txt'), readFileSync(join(all, files[size])));
  }
  const embedder = await createEmbedder({
    model: BUILT_IN_MODEL,
    modelsDir: BUILT_IN_MODELS_DIR,
    allowRemoteModels: false,
    batchSize: 32,
  });
  const server = databaseUrl ? undefined : await startPostgres();
  const url = databaseUrl ?? (server?.url as string);
  const reset = new pg.Client({ connectionString: url });
  await reset.connect();
  await reset.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  await reset.end();
  const engine = await PostgresEngine.connect(url);
  const local = LocalEngine.fromFolder(join(work, 'embeddings'));
  try {
    log(`  ${size || 'seed'}: postgres build…`);
    const built = await engine.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
    const { rows } = await engine.pool.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    log(`    ${built.seconds} s, ${round(Number(rows[0].bytes) / 2 ** 20, 1)} MiB; local build…`);
    const localBuilt = await local.build({ corpusDir: corpus, embedder, chunking: CHUNKING });

    const serve = async (service: AnswerService, trips?: () => number) => {
      const before = trips?.() ?? 0;
      const warm = await benchWarm(service);
      // benchWarm asks 20 warm-up questions, then every question once.
      const perQuestion = trips ? (trips() - before) / (warm.questions + 20) : undefined;
      return { warm, roundTripsPerQuestion: perQuestion === undefined ? undefined : round(perQuestion, 2) };
    };
    log('  answering (postgres)…');
    const pgService = await AnswerService.open({ engine, embedder });
    const pgServing = await serve(pgService, () => (pgService.index as PostgresIndex).roundTrips);
    pgService.close();
    log(`    warm p95 ${pgServing.warm.totalMs.p95} ms; answering (local)…`);
    const localService = await AnswerService.open({ engine: local, embedder });
    const localServing = await serve(localService);
    localService.close();
    log(`    warm p95 ${localServing.warm.totalMs.p95} ms`);

    let addOne: unknown;
    if (size > 0) {
      writeFileSync(join(corpus, 'zz-extra.txt'), readFileSync(join(work, 'extra.txt')));
      const added = await engine.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
      addOne = { seconds: added.seconds, embedded: added.embedded, phases: added.phases };
      log(`  one article added: ${added.seconds} s`);
    }
    return {
      size,
      articles: built.articles,
      sentences: built.sentences,
      chunks: built.chunks,
      postgres: {
        buildSeconds: built.seconds,
        phases: built.phases,
        databaseMiB: round(Number(rows[0].bytes) / 2 ** 20, 1),
        warmMs: pgServing.warm.totalMs,
        stagesMs: pgServing.warm.stagesMs,
        roundTripsPerQuestion: pgServing.roundTripsPerQuestion,
        addOne,
      },
      local: {
        buildSeconds: localBuilt.seconds,
        warmMs: localServing.warm.totalMs,
        stagesMs: localServing.warm.stagesMs,
      },
      questions: pgServing.warm.questions,
    };
  } finally {
    await engine.close();
    await server?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 0);
  const result = await benchPostgres(size, process.env.BENCH_DATABASE_URL);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

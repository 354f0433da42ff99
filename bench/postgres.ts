/**
 * The postgres engine at one archive size, beside the local engine on the same
 * corpus and machine: build time (and its phases), database size, warm answer
 * latency (p50/p95 over the seed, off-topic and ARCD questions), database
 * round trips per question, and one article added. The database is PGlite
 * (PostgreSQL 18 + pgvector 0.8 in WebAssembly) over its wire protocol, started
 * here (test/helpers/postgres.ts), unless BENCH_DATABASE_URL names another (emptied first!):
 * bench/real-postgres.sh starts a real PostgreSQL with pgvector for that.
 *
 *   node [--expose-gc] --import tsx bench/postgres.ts SIZE [--keep DIR] [--no-cache] [--cold] [--shared-buffers SIZE]
 *     (0: the five seed articles; --no-cache: POSTINGS_CACHE_MB=0, every BM25 search in the database, as
 *     before the postings cache; --cold: replicas open builds without warming their postings cache;
 *     --shared-buffers: PGlite's shared_buffers, e.g. 1GB, default 128MB; --expose-gc: a garbage
 *     collection between the engines' turns, untimed, see benchInTurns)
 *
 * `--keep DIR` keeps the corpus, the local index, the database (a PGlite data
 * directory saved when the server stops) and the first builds' figures in DIR:
 * run again with the same DIR, nothing is built again (both builds find nothing
 * changed) and the answers are measured afresh, for changes to the reads only.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { LocalEngine } from '../src/search/local/engine.js';
import type { PostgresBuildReport } from '../src/search/postgres/build.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import type { PostgresIndex } from '../src/search/postgres/postgres-index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { benchInTurns, type Passes, questions } from './answering.js';
import { seedCorpus, syntheticCorpus } from './corpora.js';
import { round } from './stats.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const CHUNKING = { maxChars: 600, overlap: 1 };

/** What the first builds took, kept beside a kept database (`--keep`). */
interface FirstBuilds {
  postgres: PostgresBuildReport;
  databaseMiB: number;
  local: { seconds: number };
  addOne?: unknown;
}

export async function benchPostgres(
  size: number,
  {
    databaseUrl,
    keep,
    postingsCacheMb,
    warmPostingsMb,
    sharedBuffers,
  }: {
    databaseUrl?: string;
    keep?: string;
    postingsCacheMb?: number;
    warmPostingsMb?: number;
    sharedBuffers?: string;
  } = {},
) {
  const work = keep ?? mkdtempSync(join(tmpdir(), `bench-postgres-${size}-`));
  mkdirSync(work, { recursive: true });
  const corpus = join(work, 'corpus');
  const firstBuildsFile = join(work, 'first-builds.json');
  const kept: FirstBuilds | undefined = existsSync(firstBuildsFile)
    ? JSON.parse(readFileSync(firstBuildsFile, 'utf8'))
    : undefined;
  if (!kept) {
    rmSync(corpus, { recursive: true, force: true });
    if (size === 0) seedCorpus(corpus);
    else {
      const all = await syntheticCorpus(join(work, 'all'), size + 1);
      const files = readdirSync(all).sort();
      mkdirSync(corpus);
      for (const f of files.slice(0, size)) writeFileSync(join(corpus, f), readFileSync(join(all, f)));
      writeFileSync(join(work, 'extra.txt'), readFileSync(join(all, files[size])));
      rmSync(join(work, 'all'), { recursive: true });
    }
  }
  const embedder = await createEmbedder({
    model: BUILT_IN_MODEL,
    modelsDir: BUILT_IN_MODELS_DIR,
    allowRemoteModels: false,
    batchSize: 32,
  });
  const server = databaseUrl
    ? undefined
    : await startPostgres({ ...(keep ? { dataFile: join(work, 'pgdata.tar') } : {}), sharedBuffers });
  const url = databaseUrl ?? (server?.url as string);
  if (!kept) {
    const reset = new pg.Client({ connectionString: url });
    await reset.connect();
    await reset.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
    await reset.end();
  }
  const engineOptions = {
    ...(postingsCacheMb === undefined ? {} : { postingsCacheMb }),
    ...(warmPostingsMb === undefined ? {} : { warmPostingsMb }),
  };
  const engine = await PostgresEngine.connect(url, engineOptions);
  const local = LocalEngine.fromFolder(join(work, 'embeddings'));
  try {
    log(`  ${size || 'seed'}: postgres build${kept ? ' (kept: nothing to do)' : ''}…`);
    const builtNow = await engine.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
    const built = kept?.postgres ?? builtNow;
    const { rows } = await engine.pool.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    const databaseMiB = kept?.databaseMiB ?? round(Number(rows[0].bytes) / 2 ** 20, 1);
    log(`    ${built.seconds} s, ${databaseMiB} MiB; local build…`);
    const localBuiltNow = await local.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
    const localBuilt = kept?.local ?? { seconds: localBuiltNow.seconds };
    if (keep && !kept)
      writeFileSync(
        firstBuildsFile,
        JSON.stringify({ postgres: built, databaseMiB, local: localBuilt } satisfies FirstBuilds),
      );

    // Both engines answer each pass in turns of 25 questions (benchInTurns), each with its own caches:
    // a slow minute on a shared machine falls on both, and neither runs first with the process's code cold.
    const serve = async (pgService: AnswerService, localService: AnswerService, passes: Passes = {}) => {
      const trips = () => (pgService.index as PostgresIndex).roundTrips;
      const before = trips();
      const [pg, local] = await benchInTurns([pgService, localService], passes);
      // benchInTurns asks 20 warm-up questions (or passes.warmUp), then every question once (or passes.measured).
      const asked = pg.questions + (passes.warmUp?.length ?? 20);
      return { pg: { warm: pg, roundTripsPerQuestion: round((trips() - before) / asked, 2) }, local: { warm: local } };
    };
    // Three passes: the questions asked once each after 20 (the warm pass, as before), the same questions
    // asked again of the same process (what its caches give questions already asked), and a new process
    // that asked one half of the questions and is measured on the other (what its caches give questions
    // it has not seen).
    const all = await questions();
    const halves = {
      warmUp: all.filter((_, i) => i % 2 === 0),
      measured: all.filter((_, i) => i % 2 === 1),
    };
    log('  answering (postgres and local, in turns)…');
    const opening = performance.now();
    const pgService = await AnswerService.open({ engine, embedder });
    // Opening warms the replica's postings cache with the build's commonest terms (PostgresIndex.warm).
    const opened = {
      ms: round(performance.now() - opening, 1),
      postingsCacheMiB: round(engine.postings.bytes / 2 ** 20, 1),
      entries: engine.postings.size,
    };
    const localService = await AnswerService.open({ engine: local, embedder });
    const { pg: pgServing, local: localServing } = await serve(pgService, localService);
    log(`    warm p95 ${pgServing.warm.totalMs.p95} / ${localServing.warm.totalMs.p95} ms; again…`);
    const { pg: pgAgain, local: localAgain } = await serve(pgService, localService, { warmUp: [], measured: all });
    const cache = { MiB: round(engine.postings.bytes / 2 ** 20, 1), entries: engine.postings.size };
    pgService.close();
    localService.close();
    log(
      `    warm p95 ${pgAgain.warm.totalMs.p95} / ${localAgain.warm.totalMs.p95} ms; unseen half (a new process's engines)…`,
    );
    const fresh = await PostgresEngine.connect(url, engineOptions);
    const pgFresh = await AnswerService.open({ engine: fresh, embedder });
    const localFresh = await AnswerService.open({ engine: LocalEngine.fromFolder(join(work, 'embeddings')), embedder });
    const { pg: pgUnseen, local: localUnseen } = await serve(pgFresh, localFresh, halves);
    pgFresh.close();
    localFresh.close();
    await fresh.close();
    log(`    warm p95 ${pgUnseen.warm.totalMs.p95} / ${localUnseen.warm.totalMs.p95} ms`);

    let addOne: unknown = kept?.addOne;
    if (size > 0 && !addOne) {
      writeFileSync(join(corpus, 'zz-extra.txt'), readFileSync(join(work, 'extra.txt')));
      const added = await engine.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
      log(`  one article added: ${added.seconds} s`);
      // And taken out again, so that a kept database holds SIZE articles.
      rmSync(join(corpus, 'zz-extra.txt'));
      const removed = await engine.build({ corpusDir: corpus, embedder, chunking: CHUNKING });
      log(`  and removed: ${removed.seconds} s`);
      addOne = {
        seconds: added.seconds,
        embedded: added.embedded,
        phases: added.phases,
        removedAgainSeconds: removed.seconds,
      };
      if (keep)
        writeFileSync(
          firstBuildsFile,
          JSON.stringify({ ...JSON.parse(readFileSync(firstBuildsFile, 'utf8')), addOne }),
        );
    }
    return {
      size,
      articles: built.articles,
      sentences: built.sentences,
      chunks: built.chunks,
      postgres: {
        buildSeconds: built.seconds,
        phases: built.phases,
        databaseMiB,
        warmMs: pgServing.warm.totalMs,
        cpuMs: pgServing.warm.cpuMs,
        stagesMs: pgServing.warm.stagesMs,
        roundTripsPerQuestion: pgServing.roundTripsPerQuestion,
        again: passSummary(pgAgain),
        unseen: passSummary(pgUnseen),
        opened,
        postingsCache: cache,
        addOne,
      },
      local: {
        buildSeconds: localBuilt.seconds,
        warmMs: localServing.warm.totalMs,
        cpuMs: localServing.warm.cpuMs,
        stagesMs: localServing.warm.stagesMs,
        again: passSummary(localAgain),
        unseen: passSummary(localUnseen),
      },
      p95Ratio: {
        warm: round(pgServing.warm.totalMs.p95 / localServing.warm.totalMs.p95, 2),
        again: round(pgAgain.warm.totalMs.p95 / localAgain.warm.totalMs.p95, 2),
        unseen: round(pgUnseen.warm.totalMs.p95 / localUnseen.warm.totalMs.p95, 2),
      },
      turns: `in turns of 25 questions${(globalThis as { gc?: unknown }).gc ? ', a collection between turns' : ''}`,
      ...(warmPostingsMb === 0 ? { warmUp: 'none (--cold)' } : {}),
      ...(sharedBuffers ? { sharedBuffers } : {}),
      loadAverage: loadavg().map((l) => round(l, 1)),
      questions: pgServing.warm.questions,
    };
  } finally {
    await engine.close();
    await server?.stop();
  }
}

/** A pass's latency, CPU and round trips, without its stages. */
function passSummary(pass: {
  warm: { questions: number; totalMs: unknown; cpuMs: unknown; stagesMs: Record<string, unknown> };
  roundTripsPerQuestion?: number;
}) {
  return {
    questions: pass.warm.questions,
    warmMs: pass.warm.totalMs,
    cpuMs: pass.warm.cpuMs,
    lexicalMs: pass.warm.stagesMs.lexical,
    ...(pass.roundTripsPerQuestion === undefined ? {} : { roundTripsPerQuestion: pass.roundTripsPerQuestion }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 0);
  const keepAt = process.argv.indexOf('--keep');
  const result = await benchPostgres(size, {
    databaseUrl: process.env.BENCH_DATABASE_URL,
    ...(keepAt > 0 ? { keep: process.argv[keepAt + 1] } : {}),
    ...(process.argv.includes('--no-cache') ? { postingsCacheMb: 0 } : {}),
    ...(process.argv.includes('--cold') ? { warmPostingsMb: 0 } : {}),
    ...(process.argv.includes('--shared-buffers')
      ? { sharedBuffers: process.argv[process.argv.indexOf('--shared-buffers') + 1] }
      : {}),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * npm run bench [-- --json] [--only build,batch,incremental,answer,cold,vectors,bot,state,replicas,postgres,scale] [--large N] [--scale N,N] [--postgres N,N] [--million] [--grid]
 *
 * Speed and size figures, each a median over repeated runs with its range.
 * Uses EMBEDDING_MODEL, by default the built-in model (as in BENCHMARKS.md).
 * The postgres section (bench/postgres.ts) runs the postgres engine beside the local one at the seed
 * corpus by default (`--postgres 0,10000,100000` for synthetic archives too), on PGlite started here, or
 * on the server BENCH_DATABASE_URL names (its database is emptied first; bench/real-postgres.sh).
 */

import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { AnswerService } from '../src/answering/service.js';
import { loadConfig } from '../src/config.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { buildIndex } from '../src/search/local/build.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { benchColdStart, benchWarm } from './answering.js';
import { benchBot } from './bot.js';
import { seedCorpus } from './corpora.js';
import { benchBatchSizes, benchBuilds, benchIncremental } from './indexing.js';
import { benchPostgres } from './postgres.js';
import { benchReplicas } from './replicas.js';
import { benchScale } from './scale.js';
import { benchStateStores } from './state.js';
import { show } from './stats.js';
import { benchVectors } from './vectors.js';

const program = new Command('bench')
  .option('--json', 'print all figures as one JSON object')
  .option(
    '--only <sections>',
    'comma-separated: build,batch,incremental,answer,cold,vectors,bot,state,replicas,postgres,scale',
  )
  .option('--large <n>', 'articles in the synthetic corpus', '10000')
  .option(
    '--scale <sizes>',
    'archive sizes for the scale section (build, disk, cold start, serving, incremental adds), e.g. 10000,100000; runs only when given or named in --only',
  )
  .option(
    '--postgres <sizes>',
    'archive sizes for the postgres section, 0 being the five seed articles, e.g. 0,10000,100000 (10,000 takes about 8 minutes on PGlite here)',
    '0',
  )
  .option('--million', 'also measure HNSW at 1,000,000 clustered vectors (slow)')
  .option('--grid', 'also measure M=48, efConstruction=400 on uniform vectors (about 10 minutes)')
  .parse();
const opts = program.opts<{
  json?: boolean;
  only?: string;
  large: string;
  scale?: string;
  postgres: string;
  million?: boolean;
  grid?: boolean;
}>();
const named = (name: string) => opts.only?.split(',').includes(name) ?? false;
const wanted = (name: string) => !opts.only || named(name);
const log = (line: string) => process.stderr.write(`${line}\n`);

const config = loadConfig();
const embedder = await createEmbedder(config.embedding);
const results: Record<string, unknown> = {
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  model: embedder.modelId,
  dimension: embedder.dimension,
  date: new Date().toISOString(),
};

if (wanted('build')) {
  log('Index build…');
  const rows = await benchBuilds(embedder, { large: Number(opts.large) });
  results.build = rows;
  for (const r of rows)
    log(
      `  ${r.corpus}: ${show(r.seconds, ' s')}, ${r.chunks} chunks, ${r.chunksPerSecond} chunks/s, ${r.passagesPerSecond} passages/s`,
    );
}
if (wanted('batch')) {
  log('Embedding throughput by batch size…');
  const rows = await benchBatchSizes((batchSize) => createEmbedder({ ...config.embedding, batchSize }));
  results.batch = rows;
  for (const r of rows) log(`  batch ${r.batchSize}: ${r.passagesPerSecond} passages/s (${show(r.seconds, ' s')})`);
}
if (wanted('incremental')) {
  log('Incremental rebuild, 1 of 1,000 articles changed…');
  const r = await benchIncremental(embedder);
  results.incremental = r;
  log(
    `  full ${show(r.fullSeconds, ' s')}, incremental ${show(r.incrementalSeconds, ' s')}: ${(r.share * 100).toFixed(1)}% of full`,
  );
}

const seedIndexDir = join(mkdtempSync(join(tmpdir(), 'bench-seed-')), 'embeddings');
await buildIndex({
  corpusDir: seedCorpus(join(seedIndexDir, '..', 'corpus')),
  indexDir: seedIndexDir,
  embedder,
  chunking: config.chunking,
});

if (wanted('answer')) {
  log('Warm answers on the seed corpus…');
  const r = await benchWarm(await AnswerService.open({ engine: LocalEngine.fromFolder(seedIndexDir), embedder }));
  results.answer = r;
  log(`  ${r.questions} questions: p50 ${r.totalMs.p50} ms, p95 ${r.totalMs.p95} ms, p99 ${r.totalMs.p99} ms`);
  for (const [stage, s] of Object.entries(r.stagesMs)) log(`    ${stage}: p50 ${s.p50} ms, p95 ${s.p95} ms`);
}
if (wanted('cold')) {
  log('Cold start (process start to first answer)…');
  const r = benchColdStart(seedIndexDir, { ...process.env, LOG_LEVEL: 'silent' });
  results.coldStart = r;
  log(`  ${show(r.seconds, ' s')}`);
}
if (wanted('vectors')) {
  const runs = [
    { count: 100_000, kind: 'uniform' as const, m: 16, efConstruction: 200 },
    ...(opts.grid ? [{ count: 100_000, kind: 'uniform' as const, m: 48, efConstruction: 400 }] : []),
    { count: 100_000, kind: 'clustered' as const, m: 16, efConstruction: 200 },
    ...(opts.million ? [{ count: 1_000_000, kind: 'clustered' as const, m: 16, efConstruction: 200 }] : []),
  ];
  results.vectors = runs.map(({ count, ...setup }) => {
    log(
      `HNSW vs exact: ${count} ${setup.kind} unit vectors of dimension ${embedder.dimension}, M=${setup.m}, efConstruction=${setup.efConstruction}…`,
    );
    const r = benchVectors(count, embedder.dimension, { ...setup, efs: [10, 16, 24, 32, 48, 64, 128, 256, 512, 1024] });
    log(
      `  build ${r.buildSeconds} s, +${r.memoryMiB} MiB, file ${r.fileMiB} MiB; exact query p50: JS ${r.exactQueryMsP50.javascript} ms, hnswlib brute force ${r.exactQueryMsP50.hnswlibBruteForce} ms`,
    );
    for (const row of r.rows)
      log(
        `    ef ${row.ef}: recall@10 ${row.recallAt10}, p50 ${row.queryMsP50} ms, ${row.speedupVsBruteForce}× faster than brute force`,
      );
    return r;
  });
}
if (wanted('bot')) {
  log('Bot through the Bot API emulator…');
  const rows = await benchBot(seedIndexDir, embedder);
  results.bot = rows;
  for (const r of rows)
    log(
      `  ${r.throttled ? 'throttled' : 'unthrottled'}, ${r.users} users: ${r.answersPerSecond} answers/s, reply p50 ${r.latencyMsP50} ms, p95 ${r.latencyMsP95} ms`,
    );
}

if (wanted('state')) {
  log('The button store under 100 answers a second (event-loop delay)…');
  const rows = await benchStateStores();
  results.state = rows;
  for (const r of rows)
    log(
      `  ${r.store}: put p50 ${r.putMsP50} ms, p95 ${r.putMsP95} ms; event-loop delay p50 ${r.eventLoopDelayMsP50} ms, p99 ${r.eventLoopDelayMsP99} ms, max ${r.eventLoopDelayMsMax} ms`,
    );
}
if (wanted('replicas')) {
  log('Webhook replicas sharing Redis, behind a dispatcher…');
  const rows = await benchReplicas(seedIndexDir, { ...process.env, EMBEDDING_MODEL: config.embedding.model });
  results.replicas = rows;
  for (const r of rows)
    log(
      `  ${r.replicas} replica(s), ${r.users} users: ${r.answersPerSecond} answers/s, reply p50 ${r.latencyMsP50} ms, p95 ${r.latencyMsP95} ms; busiest second ${r.busiestSecondMessages} messages`,
    );
}

if (wanted('postgres')) {
  const sizes = opts.postgres.split(',').map(Number);
  const where = process.env.BENCH_DATABASE_URL ? 'the server BENCH_DATABASE_URL names' : 'PGlite';
  log(`The postgres engine beside the local one, on ${where}, at ${sizes.map((n) => n || 'seed').join(', ')}…`);
  results.postgres = [];
  for (const size of sizes) {
    const r = await benchPostgres(size, { databaseUrl: process.env.BENCH_DATABASE_URL });
    (results.postgres as unknown[]).push(r);
    log(
      `  ${size || 'seed'}: build ${r.postgres.buildSeconds} s (local ${r.local.buildSeconds} s), ${r.postgres.databaseMiB} MiB; warm p50/p95 ${r.postgres.warmMs.p50}/${r.postgres.warmMs.p95} ms (local ${r.local.warmMs.p50}/${r.local.warmMs.p95} ms), ${r.postgres.roundTripsPerQuestion} round trips a question`,
    );
  }
}

if (opts.scale || named('scale')) {
  const sizes = (opts.scale ?? '10000,100000').split(',').map(Number);
  log(`The archive at ${sizes.join(', ')} articles (each step in its own process)…`);
  results.scale = [];
  for (const size of sizes)
    (results.scale as unknown[]).push(await benchScale(size, { ...process.env, LOG_LEVEL: 'silent' }));
}

if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);

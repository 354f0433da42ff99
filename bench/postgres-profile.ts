/**
 * Where a postgres question's time goes, query by query: every query the
 * index sends for a sample of the benchmark questions (warm), with its time,
 * rows and bytes received, grouped by the query's shape.
 *
 *   node --import tsx bench/postgres-profile.ts DATABASE_URL [QUESTIONS] [--again | --unseen] [--no-cache]
 *   node --import tsx bench/postgres-profile.ts pglite:FILE [QUESTIONS] ...   (a PGlite data directory
 *     kept by `bench/postgres.ts --keep DIR`: DIR/pgdata.tar; saved again when done)
 *   BENCH_SERVER_PID=N node --import tsx bench/postgres-profile.ts URL ...   (a server started by hand, e.g.
 *     test/helpers/pglite-server.ts --load FILE: its CPU counted as the server's)
 *
 * The QUESTIONS measured (default 200) come after 20 warm-up questions, each
 * asked for the first time; `--again`: asked once before, then measured (what
 * a replica's caches give questions already asked); `--unseen`: the process
 * first asks as many other questions (the benchmark's questions taken in
 * turn: one asked before, the next measured), so the caches are as warm but
 * the measured questions new. `--no-cache`: POSTINGS_CACHE_MB=0 (every BM25
 * search in the database's rounds). `--cold`: the postings cache not warmed
 * as the build opens (PostgresIndex.warm). Last, the slowest 5% of the
 * questions measured, each with the queries it sent. `--whole N`: the most postings a term read
 * whole may have (PostgresIndex.wholeTermPostings). `--shared-buffers SIZE`: PGlite's
 * shared_buffers (pglite: only; PGlite's default is 128MB).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import type { PostgresIndex } from '../src/search/postgres/postgres-index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { questions } from './answering.js';
import { percentile } from './stats.js';

const sharedBuffers = process.argv.includes('--shared-buffers')
  ? process.argv[process.argv.indexOf('--shared-buffers') + 1]
  : undefined;
const server = process.argv[2].startsWith('pglite:')
  ? await startPostgres({ dataFile: process.argv[2].slice('pglite:'.length), sharedBuffers })
  : undefined;
const url = server?.url ?? process.argv[2];
const sample = Number(process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 200);
const mode = process.argv.includes('--again') ? 'again' : process.argv.includes('--unseen') ? 'unseen' : 'first';
const embedder = await createEmbedder({
  model: BUILT_IN_MODEL,
  modelsDir: BUILT_IN_MODELS_DIR,
  allowRemoteModels: false,
  batchSize: 32,
});
const engine = await PostgresEngine.connect(url, {
  ...(process.argv.includes('--no-cache') ? { postingsCacheMb: 0 } : {}),
  // --whole N changes which terms are read whole: not warmed with the default's, then.
  ...(process.argv.includes('--cold') || process.argv.includes('--whole') ? { warmPostingsMb: 0 } : {}),
});
const service = await AnswerService.open({ engine, embedder });
const all = await questions();
// The questions measured, and those asked before them (warm-up).
const [warmUp, measured] =
  mode === 'first'
    ? [all.slice(0, 20), all.slice(20, 20 + sample)]
    : mode === 'again'
      ? [all.slice(0, 20 + sample), all.slice(20, 20 + sample)]
      : [all.filter((_, i) => i % 2 === 0).slice(0, 20 + sample), all.filter((_, i) => i % 2 === 1).slice(0, sample)];
if (measured.length < sample) throw new Error(`only ${measured.length} questions to measure`);
const index = service.index as PostgresIndex;
const whole = process.argv.indexOf('--whole');
if (whole > 0) index.wholeTermPostings = Number(process.argv[whole + 1]);
for (const q of warmUp) await service.ask(q);
const searchesBefore = { ...index.cached, rounds: index.pruning.searches, trips: index.roundTrips };

interface Seen {
  ms: number[];
  rows: number[];
}
const shapes = new Map<string, Seen>();
let recording = true;
/** The queries of the question being asked (for the slowest questions' breakdown). */
let current: { shape: string; ms: number; rows: number }[] = [];
const original = engine.pool.query.bind(engine.pool) as (...args: unknown[]) => Promise<unknown>;
(engine.pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
  const started = performance.now();
  const result = await original(...args);
  if (!recording) return result;
  const ms = performance.now() - started;
  const results = (Array.isArray(result) ? result : [result]) as pg.QueryResult[];
  const rows = results.reduce((n, r) => n + (r.rows?.length ?? 0), 0);
  const shape = text
    .replace(/\[[-0-9.e,]+\]/g, '[…]')
    .replace(/\s+/g, ' ')
    .slice(0, 110);
  const seen = shapes.get(shape) ?? { ms: [], rows: [] };
  current.push({ shape, ms, rows });
  seen.ms.push(ms);
  seen.rows.push(rows);
  shapes.set(shape, seen);
  return result;
};
/** CPU time (ms) of the server's processes (or PGlite's) when they run on this machine, from /proc. */
function serverCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // A server's processes; PGlite's: the process serving this data file (or BENCH_SERVER_PID's, one started by hand).
      if (
        process.env.BENCH_SERVER_PID
          ? pid !== process.env.BENCH_SERVER_PID
          : server
            ? !command.includes(process.argv[2].slice('pglite:'.length))
            : !command.startsWith('postgres')
      )
        continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks * 10;
}
const totals: number[] = [];
const asked: { question: string; ms: number; queries: typeof current }[] = [];
const serverBefore = serverCpuMs();
const cpuBefore = process.cpuUsage();
for (const q of measured) {
  current = [];
  const t = performance.now();
  await service.ask(q);
  totals.push(performance.now() - t);
  asked.push({ question: q, ms: totals.at(-1) as number, queries: current });
}
const cpu = process.cpuUsage(cpuBefore);
const serverCpu = serverCpuMs() - serverBefore;
recording = false;
const n = measured.length;
console.log(
  `${mode}: ${n} questions after ${warmUp.length}; BM25 searches in the process ${index.cached.searches - searchesBefore.searches}, in rounds ${index.pruning.searches - searchesBefore.rounds}; terms' postings read ${index.cached.termsRead - searchesBefore.termsRead} (${index.cached.postingsRead - searchesBefore.postingsRead} postings); round trips a question ${((index.roundTrips - searchesBefore.trips) / n).toFixed(2)}; postings cache ${(engine.postings.bytes / 2 ** 20).toFixed(1)} MiB, ${engine.postings.size} entries`,
);
console.log(
  `${n} questions, total p50/p95 ${percentile(totals, 50).toFixed(1)}/${percentile(totals, 95).toFixed(1)} ms; CPU a question: process ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms, server ${(serverCpu / n).toFixed(2)} ms`,
);
for (const [shape, s] of [...shapes].sort(
  (a, b) => b[1].ms.reduce((x, y) => x + y) - a[1].ms.reduce((x, y) => x + y),
)) {
  const sum = s.ms.reduce((x, y) => x + y);
  console.log(
    `${(s.ms.length / n).toFixed(2)}/q  sum/q ${(sum / n).toFixed(2)} ms  p50 ${percentile(s.ms, 50).toFixed(2)} p95 ${percentile(s.ms, 95).toFixed(2)}  rows p50 ${percentile(s.rows, 50)}\n    ${shape}`,
  );
}
// The slowest questions (the p95's tail): what each sent.
for (const a of asked.sort((x, y) => y.ms - x.ms).slice(0, Math.ceil(n / 20))) {
  console.log(`${a.ms.toFixed(1)} ms  ${a.question}`);
  for (const q of a.queries) console.log(`    ${q.ms.toFixed(2)} ms  ${q.rows} rows  ${q.shape.slice(0, 70)}`);
}
service.close();
await engine.close();
await server?.stop();

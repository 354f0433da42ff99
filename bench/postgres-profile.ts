/**
 * Where a postgres question's time goes, query by query: every query the
 * index sends for a sample of the benchmark questions (warm), with its time,
 * rows and bytes received, grouped by the query's shape.
 *
 *   node --import tsx bench/postgres-profile.ts DATABASE_URL [QUESTIONS]
 *   node --import tsx bench/postgres-profile.ts pglite:FILE [QUESTIONS]   (a PGlite data directory
 *     kept by `bench/postgres.ts --keep DIR`: DIR/pgdata.tar; saved again when done)
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { questions } from './answering.js';
import { percentile } from './stats.js';

const server = process.argv[2].startsWith('pglite:')
  ? await startPostgres({ dataFile: process.argv[2].slice('pglite:'.length) })
  : undefined;
const url = server?.url ?? process.argv[2];
const sample = Number(process.argv[3] ?? 200);
const embedder = await createEmbedder({
  model: BUILT_IN_MODEL,
  modelsDir: BUILT_IN_MODELS_DIR,
  allowRemoteModels: false,
  batchSize: 32,
});
const engine = await PostgresEngine.connect(url);
const service = await AnswerService.open({ engine, embedder });
const asked = (await questions()).slice(0, sample + 20);
for (const q of asked.slice(0, 20)) await service.ask(q);

interface Seen {
  ms: number[];
  rows: number[];
}
const shapes = new Map<string, Seen>();
let recording = true;
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
      // A server's processes; PGlite's: the process serving this data file.
      if (server ? !command.includes(process.argv[2].slice('pglite:'.length)) : !command.startsWith('postgres'))
        continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks * 10;
}
const totals: number[] = [];
const serverBefore = serverCpuMs();
const cpuBefore = process.cpuUsage();
for (const q of asked.slice(20)) {
  const t = performance.now();
  await service.ask(q);
  totals.push(performance.now() - t);
}
const cpu = process.cpuUsage(cpuBefore);
const serverCpu = serverCpuMs() - serverBefore;
recording = false;
const n = asked.length - 20;
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
service.close();
await engine.close();
await server?.stop();

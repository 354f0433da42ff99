/**
 * What each of a question's queries costs the server alone: the queries the
 * postgres engine sends for QUESTIONS warm questions (after 20), recorded,
 * then sent again one at a time on one connection, twice (the second pass
 * counted), so that none waits for another; per query shape, the server's
 * CPU (from /proc: BENCH_SERVER_PID, e.g. a test/helpers/pglite-server.ts
 * started by hand with --load) and wall time per question.
 *
 *   BENCH_SERVER_PID=N node --import tsx bench/postgres-replay.ts DATABASE_URL [QUESTIONS]
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import { questions } from './answering.js';

const url = process.argv[2];
const pid = process.env.BENCH_SERVER_PID as string;
const cpu = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const embedder = await createEmbedder({
  model: BUILT_IN_MODEL,
  modelsDir: BUILT_IN_MODELS_DIR,
  allowRemoteModels: false,
  batchSize: 32,
});
const engine = await PostgresEngine.connect(url);
const service = await AnswerService.open({ engine, embedder });
const all = await questions();
for (const q of all.slice(0, 20)) await service.ask(q);
const log: { text: string; values?: unknown[] }[] = [];
const original = engine.pool.query.bind(engine.pool) as (...args: unknown[]) => Promise<unknown>;
(engine.pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
  log.push({ text: args[0] as string, values: args[1] as unknown[] | undefined });
  return original(...args);
};
const n = Number(process.argv[3] ?? 150);
// The questions' queries, as the engine sent them (what the pool was asked: text and values).
for (const q of all.slice(20, 20 + n)) await service.ask(q);
service.close();
await engine.close();
const c = new pg.Client({ connectionString: url });
await c.connect();
const shapes = new Map<string, { ms: number; cpu: number; count: number; bytes: number }>();
for (let pass = 0; pass < 2; pass++) {
  shapes.clear();
  for (const { text, values } of log) {
    const shape = text
      .replace(/\[[-0-9.e,]+\]/g, '[…]')
      .replace(/\s+/g, ' ')
      .slice(0, 90);
    const s0 = cpu();
    const t0 = performance.now();
    const r = await c.query(text, values as unknown[]);
    const s = shapes.get(shape) ?? { ms: 0, cpu: 0, count: 0, bytes: 0 };
    s.ms += performance.now() - t0;
    s.cpu += cpu() - s0;
    s.count++;
    s.bytes += JSON.stringify((Array.isArray(r) ? r : [r]).map((x: pg.QueryResult) => x.rows)).length;
    shapes.set(shape, s);
  }
}
let tm = 0,
  tc = 0;
for (const [shape, s] of [...shapes].sort((a, b) => b[1].cpu - a[1].cpu)) {
  tm += s.ms;
  tc += s.cpu;
  console.log(
    `${(s.count / n).toFixed(2)}/q wall/q ${(s.ms / n).toFixed(2)} server cpu/q ${(s.cpu / n).toFixed(2)} KB/q ${(s.bytes / n / 1024).toFixed(1)}  ${shape}`,
  );
}
console.log(`total serial wall/q ${(tm / n).toFixed(2)} server cpu/q ${(tc / n).toFixed(2)}`);
await c.end();

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { emptyTimings } from '../src/answering/answerer.js';
import type { AnswerService } from '../src/answering/service.js';
import { readDataset } from '../src/eval/datasets.js';
import { ARCD, OFF_TOPIC, SEED_QA } from '../test/helpers/paths.js';
import { measure, percentile, round } from './stats.js';

/** The questions asked: the seed set, the off-topic set and ARCD's (as varied Arabic load). */
export async function questions(): Promise<string[]> {
  const seed = await readDataset(SEED_QA);
  const offTopic = await readDataset(OFF_TOPIC);
  const arcd = await readDataset(ARCD);
  return [...seed.questions, ...offTopic.questions, ...arcd.questions].map((q) => q.question);
}

/**
 * Warm latency over many questions, split by stage: by default 20 warm-up
 * questions, then every question once; or `measured` after `warmUp`.
 */
export async function benchWarm(service: AnswerService, passes: { warmUp?: string[]; measured?: string[] } = {}) {
  const all = await questions();
  const asked = passes.measured ?? all;
  for (const q of passes.warmUp ?? all.slice(0, 20)) await service.ask(q); // warm-up
  const totals: number[] = [];
  // CPU time per question (this process's, all threads): unlike wall time, barely moved by other work on a
  // shared machine, so two versions measured at different times can still be compared.
  const cpu: number[] = [];
  const stages = {
    embedding: [] as number[],
    hnsw: [] as number[],
    lexical: [] as number[],
    fusion: [] as number[],
    rerank: [] as number[],
    quotes: [] as number[],
  };
  for (const q of asked) {
    const t = emptyTimings();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await service.ask(q, {}, t);
    totals.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    for (const k of Object.keys(stages) as (keyof typeof stages)[]) stages[k].push(t[k]);
  }
  const summary = (v: number[]) => ({ p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) });
  return {
    questions: asked.length,
    totalMs: summary(totals),
    cpuMs: summary(cpu),
    stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, summary(v)])),
  };
}

/** Process start to first answer printed: `npm run ask` as a user runs it (node + tsx, model load, index load). */
export function benchColdStart(indexDir: string, env: NodeJS.ProcessEnv, runs = 5) {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '../src/cli/ask.ts'),
        '--index',
        indexDir,
        '--json',
        'ماذا قال بيسكوف عن أفغانستان؟',
      ],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`ask failed: ${result.stderr}`);
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: measure(seconds.map((s) => round(s))) };
}

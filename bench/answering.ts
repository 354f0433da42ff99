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

/** The questions a pass asks: `warmUp` first, untimed (default: the first 20), then `measured` (default: all). */
export interface Passes {
  warmUp?: string[];
  measured?: string[];
}

/**
 * Warm latency over many questions, split by stage: by default 20 warm-up
 * questions, then every question once; or `measured` after `warmUp`.
 */
export async function benchWarm(service: AnswerService, passes: Passes = {}) {
  return (await benchInTurns([service], passes))[0];
}

/**
 * benchWarm for several services (engines) at once, taking turns: each asks
 * its warm-up questions, then they answer the measured questions `block` at
 * a time in turn (the first to ask alternating from block to block). A slow
 * minute on a shared machine then falls on every engine alike, and none
 * runs first with the process's code still cold; each keeps its own caches.
 */
export async function benchInTurns(services: readonly AnswerService[], passes: Passes = {}, block = 25) {
  const all = await questions();
  const asked = passes.measured ?? all;
  for (const service of services) for (const q of passes.warmUp ?? all.slice(0, 20)) await service.ask(q); // warm-up
  const seen = services.map(() => ({
    totals: [] as number[],
    // CPU time per question (this process's, all threads): unlike wall time, barely moved by other work on a
    // shared machine, so two versions measured at different times can still be compared.
    cpu: [] as number[],
    stages: {
      embedding: [] as number[],
      hnsw: [] as number[],
      lexical: [] as number[],
      fusion: [] as number[],
      rerank: [] as number[],
      quotes: [] as number[],
    },
  }));
  const order = services.map((_, i) => i);
  // Run with `node --expose-gc`: a collection between turns, untimed, so that one engine's garbage is not collected in another's time.
  const collect = (globalThis as { gc?: () => void }).gc;
  for (let from = 0; from < asked.length; from += block) {
    for (const i of (from / block) % 2 === 0 ? order : [...order].reverse()) {
      collect?.();
      const into = seen[i];
      for (const q of asked.slice(from, from + block)) {
        const t = emptyTimings();
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        await services[i].ask(q, {}, t);
        into.totals.push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        into.cpu.push((used.user + used.system) / 1000);
        for (const k of Object.keys(into.stages) as (keyof typeof into.stages)[]) into.stages[k].push(t[k]);
      }
    }
  }
  const summary = (v: number[]) => ({ p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99) });
  return seen.map((s) => ({
    questions: asked.length,
    totalMs: summary(s.totals),
    cpuMs: summary(s.cpu),
    stagesMs: Object.fromEntries(Object.entries(s.stages).map(([k, v]) => [k, summary(v)])),
  }));
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

import { percentile as nearestRank } from '../src/eval/metrics.js';

/** A figure measured several times: its median and spread. */
export interface Measure {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function measure(values: number[]): Measure {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), runs: values.length };
}

/** The p-th percentile, rounded for a report. */
export function percentile(values: number[], p: number): number {
  return round(nearestRank(values, p));
}

export function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits));
}

/** "12.3 (11.9–12.8, n=5)". */
export function show(m: Measure, unit = ''): string {
  return `${m.median}${unit} (${m.min}–${m.max}, n=${m.runs})`;
}

export async function repeat(times: number, run: () => Promise<number>): Promise<Measure> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await run());
  return measure(values);
}

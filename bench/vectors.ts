import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactIndex } from '../src/index/exact.js';
import { HnswIndex } from '../src/index/hnsw.js';
import { percentile, round } from './stats.js';

function randomUnitVectors(n: number, dim: number, seed: number): Float32Array[] {
  let state = seed;
  // Gaussian components (Box–Muller) give directions uniform on the sphere.
  const uniform = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, gaussian);
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    return v.map((x) => x / norm);
  });
}

/** HNSW against exact search over `count` random unit vectors. */
export function benchVectors(count: number, dim: number, efs = [16, 32, 64, 128, 256], queries = 200) {
  const vectors = randomUnitVectors(count, dim, 7);
  const probe = randomUnitVectors(queries, dim, 99);
  const flat = new Float32Array(count * dim);
  vectors.forEach((v, i) => flat.set(v, i * dim));

  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  const hnsw = HnswIndex.build(vectors, dim);
  const buildSeconds = (performance.now() - started) / 1000;
  const memoryMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), 'bench-hnsw-'));
  hnsw.write(join(dir, 'x.hnsw'));
  const fileMiB = statSync(join(dir, 'x.hnsw')).size / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });

  const exact = new ExactIndex(flat, dim);
  const truth: Set<number>[] = [];
  const exactMs: number[] = [];
  for (const q of probe) {
    started = performance.now();
    truth.push(new Set(exact.search(q, 10).map((h) => h.label)));
    exactMs.push(performance.now() - started);
  }
  const exactP50 = percentile(exactMs, 50);
  const rows = efs.map((ef) => {
    hnsw.setEf(ef);
    const ms: number[] = [];
    let found = 0;
    probe.forEach((q, i) => {
      started = performance.now();
      const hits = hnsw.search(q, 10);
      ms.push(performance.now() - started);
      found += hits.filter((h) => truth[i].has(h.label)).length;
    });
    const p50 = percentile(ms, 50);
    return { ef, recallAt10: round(found / (probe.length * 10), 4), queryMsP50: p50, queryMsP95: percentile(ms, 95), speedup: round(exactP50 / p50, 1) };
  });
  return { vectors: count, dimension: dim, buildSeconds: round(buildSeconds, 2), memoryMiB: round(memoryMiB, 1), fileMiB: round(fileMiB, 1), exactQueryMsP50: exactP50, rows };
}

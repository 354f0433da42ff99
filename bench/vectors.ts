import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { ExactIndex } from '../src/search/local/exact.js';
import { HnswIndex } from '../src/search/local/hnsw.js';
import { seededRandom } from './random.js';
import { percentile, round } from './stats.js';

type Kind = 'uniform' | 'clustered';

/** A deterministic stream of standard normal numbers (Box–Muller). */
function gaussians(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return v.map((x) => x / norm);
}

/**
 * Unit vectors: `uniform` on the sphere (no structure at all: the worst case
 * for any index), or `clustered` around 1,000 random centres, the way text
 * embeddings gather by topic.
 */
function unitVectors(kind: Kind, n: number, dim: number, seed: number): Float32Array[] {
  const g = gaussians(seed);
  if (kind === 'uniform') return Array.from({ length: n }, () => normalize(Float32Array.from({ length: dim }, g)));
  // The same centres for the data and the queries: only the samples differ.
  const c = gaussians(12345);
  const centres = Array.from({ length: 1000 }, () => normalize(Float32Array.from({ length: dim }, c)));
  const pick = seededRandom(seed + 3);
  return Array.from({ length: n }, () => {
    const centre = centres[Math.floor(pick() * centres.length)];
    return normalize(centre.map((x) => x + g() * 0.05));
  });
}

export interface VectorBenchOptions {
  kind: Kind;
  m: number;
  efConstruction: number;
  efs: number[];
  queries?: number;
}

/** HNSW against exact search (JavaScript scan and hnswlib's C++ brute force) over `count` unit vectors. */
export function benchVectors(
  count: number,
  dim: number,
  { kind, m, efConstruction, efs, queries = 200 }: VectorBenchOptions,
) {
  const vectors = unitVectors(kind, count, dim, 7);
  const probe = unitVectors(kind, queries, dim, 99);
  const flat = new Float32Array(count * dim);
  for (const [i, v] of vectors.entries()) flat.set(v, i * dim);

  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  const hnsw = HnswIndex.build(vectors, dim, { m, efConstruction });
  const buildSeconds = (performance.now() - started) / 1000;
  const memoryMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), 'bench-hnsw-'));
  hnsw.write(join(dir, 'x.hnsw'));
  const fileMiB = statSync(join(dir, 'x.hnsw')).size / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });

  const brute = new hnswlib.BruteforceSearch('cosine', dim);
  brute.initIndex(count);
  for (const [i, v] of vectors.entries()) brute.addPoint(Array.from(v), i);
  const js = new ExactIndex(flat, dim);
  const truth: Set<number>[] = [];
  const jsMs: number[] = [];
  const bruteMs: number[] = [];
  for (const q of probe) {
    started = performance.now();
    truth.push(new Set(js.search(q, 10).map((h) => h.label)));
    jsMs.push(performance.now() - started);
    const query = Array.from(q);
    started = performance.now();
    brute.searchKnn(query, 10);
    bruteMs.push(performance.now() - started);
  }
  const bruteP50 = percentile(bruteMs, 50);
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
    return {
      ef,
      recallAt10: round(found / (probe.length * 10), 4),
      queryMsP50: p50,
      queryMsP95: percentile(ms, 95),
      speedupVsBruteForce: round(bruteP50 / p50, 1),
    };
  });
  return {
    kind,
    vectors: count,
    dimension: dim,
    m,
    efConstruction,
    buildSeconds: round(buildSeconds, 2),
    memoryMiB: round(memoryMiB, 1),
    fileMiB: round(fileMiB, 1),
    exactQueryMsP50: { javascript: percentile(jsMs, 50), hnswlibBruteForce: bruteP50 },
    rows,
  };
}

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../../src/search/local/exact.js';
import { HnswIndex } from '../../../src/search/local/hnsw.js';
import { tempDir } from '../../helpers/fixtures.js';

function randomUnitVectors(n: number, dim: number, seed = 1): Float32Array[] {
  // mulberry32: integer arithmetic only, so the sequence does not degenerate.
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

describe('HnswIndex', () => {
  const dim = 32;
  const vectors = randomUnitVectors(2000, dim);
  const flat = new Float32Array(vectors.length * dim);
  for (const [i, v] of vectors.entries()) flat.set(v, i * dim);

  it('finds a stored vector as its own nearest neighbour with similarity 1', () => {
    const index = HnswIndex.build(vectors, dim);
    const [hit] = index.search(vectors[123], 1);
    expect(hit.label).toBe(123);
    expect(hit.score).toBeCloseTo(1, 5);
  });

  it('agrees with exact search on at least 95% of the top 10', () => {
    const hnsw = HnswIndex.build(vectors, dim);
    const exact = new ExactIndex(flat, dim);
    const queries = randomUnitVectors(50, dim, 99);
    let found = 0;
    for (const q of queries) {
      const truth = new Set(exact.search(q, 10).map((h) => h.label));
      found += hnsw.search(q, 10).filter((h) => truth.has(h.label)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('returns scores as cosine similarities, best first, and survives a write and read', () => {
    const file = join(tempDir('hnsw'), 'x.hnsw');
    HnswIndex.build(vectors, dim).write(file);
    const index = HnswIndex.read(file, dim);
    const hits = index.search(vectors[7], 5);
    const exact = new ExactIndex(flat, dim).search(vectors[7], 5);
    expect(hits.map((h) => h.label)).toEqual(exact.map((h) => h.label));
    for (const [i, h] of hits.entries()) expect(h.score).toBeCloseTo(exact[i].score, 4);
  });

  it('asks for no more neighbours than it holds', () => {
    expect(HnswIndex.build(vectors.slice(0, 3), dim).search(vectors[0], 10)).toHaveLength(3);
  });
});

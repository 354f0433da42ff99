import { dot } from '../vectors.js';
import type { VectorHit, VectorIndex } from './vector-index.js';

/** Exact nearest neighbours by scanning every vector: the baseline HNSW is measured against. */
export class ExactIndex implements VectorIndex {
  private readonly rows: number;

  constructor(
    private readonly data: Float32Array,
    readonly dimension: number,
  ) {
    this.rows = data.length / dimension;
  }

  get size(): number {
    return this.rows;
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const hits: VectorHit[] = [];
    for (let row = 0; row < this.rows; row++) {
      const score = dot(query, this.data, row * this.dimension);
      if (hits.length < k) {
        hits.push({ label: row, score });
        if (hits.length === k) hits.sort((a, b) => b.score - a.score);
      } else if (score > hits[k - 1].score) {
        hits[k - 1] = { label: row, score };
        for (let i = k - 1; i > 0 && hits[i].score > hits[i - 1].score; i--) {
          [hits[i], hits[i - 1]] = [hits[i - 1], hits[i]];
        }
      }
    }
    return hits.sort((a, b) => b.score - a.score);
  }
}

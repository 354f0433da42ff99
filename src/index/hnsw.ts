import hnswlib from 'hnswlib-node';
import type { VectorHit, VectorIndex } from './vector-index.js';

export interface HnswOptions {
  /** Graph degree: higher means better recall, more memory. */
  m?: number;
  /** Candidate list size while building. */
  efConstruction?: number;
  /** Candidate list size while searching (at least k is used). */
  efSearch?: number;
}

const DEFAULTS = { m: 16, efConstruction: 200, efSearch: 64 } satisfies Required<HnswOptions>;

/** Cosine HNSW index (hnswlib-node); labels are the row numbers of the vectors added. */
export class HnswIndex implements VectorIndex {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dimension: number,
    private efSearch: number,
  ) {}

  /** Builds an index over `vectors`; vector i gets label i. */
  static build(vectors: Float32Array[], dimension: number, options: HnswOptions = {}): HnswIndex {
    const { m, efConstruction, efSearch } = { ...DEFAULTS, ...options };
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    index.initIndex({ maxElements: Math.max(1, vectors.length), m, efConstruction, randomSeed: 42 });
    vectors.forEach((v, label) => index.addPoint(Array.from(v), label));
    return new HnswIndex(index, dimension, efSearch);
  }

  static read(file: string, dimension: number, options: HnswOptions = {}): HnswIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    index.readIndexSync(file);
    return new HnswIndex(index, dimension, options.efSearch ?? DEFAULTS.efSearch);
  }

  get size(): number {
    return this.index.getCurrentCount();
  }

  setEf(ef: number): void {
    this.efSearch = ef;
  }

  write(file: string): void {
    this.index.writeIndexSync(file);
  }

  search(query: Float32Array, k: number): VectorHit[] {
    const n = Math.min(k, this.size);
    if (n === 0) return [];
    this.index.setEf(Math.max(this.efSearch, n));
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i] }));
  }
}

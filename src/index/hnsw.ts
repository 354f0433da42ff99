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

/**
 * Cosine HNSW index (hnswlib-node). Items carry labels chosen by the caller,
 * so an index can be updated in place: removed items are marked deleted and
 * their slots reused by new ones.
 */
export class HnswIndex implements VectorIndex {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dimension: number,
    private efSearch: number,
    /** Items not deleted (hnswlib does not report it). */
    private live: number,
  ) {}

  /** Builds an index over `vectors`; vector i gets `labels[i]` (default: i). */
  static build(
    vectors: Float32Array[],
    dimension: number,
    options: HnswOptions & { labels?: number[] } = {},
  ): HnswIndex {
    const { m, efConstruction, efSearch } = { ...DEFAULTS, ...options };
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    index.initIndex({
      maxElements: Math.max(1, vectors.length),
      m,
      efConstruction,
      randomSeed: 42,
      allowReplaceDeleted: true,
    });
    const built = new HnswIndex(index, dimension, efSearch, 0);
    built.add(vectors, options.labels ?? vectors.map((_, i) => i));
    return built;
  }

  /**
   * Reads an index written by `write`. `size` is its number of live items
   * (stored beside it: hnswlib does not persist how many are deleted).
   */
  static read(file: string, dimension: number, options: HnswOptions & { size?: number } = {}): HnswIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    index.readIndexSync(file, true);
    return new HnswIndex(
      index,
      dimension,
      options.efSearch ?? DEFAULTS.efSearch,
      options.size ?? index.getCurrentCount(),
    );
  }

  /** Like `read`, off the main thread (hnswlib reads in libuv's pool): several indexes load at once. */
  static async load(
    file: string,
    dimension: number,
    options: HnswOptions & { size?: number } = {},
  ): Promise<HnswIndex> {
    const index = new hnswlib.HierarchicalNSW('cosine', dimension);
    await index.readIndex(file, true);
    return new HnswIndex(
      index,
      dimension,
      options.efSearch ?? DEFAULTS.efSearch,
      options.size ?? index.getCurrentCount(),
    );
  }

  /** Items that can be found (deleted ones excluded). */
  get size(): number {
    return this.live;
  }

  /** Adds vectors under the given labels, reusing the slots of deleted items first. */
  add(vectors: Float32Array[], labels: number[]): void {
    const needed = this.index.getCurrentCount() + vectors.length;
    if (needed > this.index.getMaxElements()) this.index.resizeIndex(needed);
    for (const [i, v] of vectors.entries()) this.index.addPoint(Array.from(v), labels[i], true);
    this.live += vectors.length;
  }

  /** Marks items deleted: they are never returned again. */
  remove(labels: number[]): void {
    for (const label of labels) this.index.markDelete(label);
    this.live -= labels.length;
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

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
 * so an index can be updated in place: removed items are marked deleted,
 * new ones added.
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
      allowReplaceDeleted: false,
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
    index.readIndexSync(file, false);
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
    await index.readIndex(file, false);
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

  /** Makes room for `count` more items at once, rather than the graph's memory growing at each `add`. */
  reserve(count: number): void {
    const needed = this.index.getCurrentCount() + count;
    if (needed > this.index.getMaxElements()) this.index.resizeIndex(needed);
  }

  /**
   * Adds vectors under the given labels, in new slots: deleted items stay
   * in the graph as waypoints (searches walk them, never return them) until
   * a full build. Reusing their slots can leave the newcomer unreachable
   * (hnswlib's update cannot guarantee it): a changed article's chunk was
   * never found again in a test.
   */
  add(vectors: Float32Array[], labels: number[]): void {
    this.reserve(vectors.length);
    for (const [i, v] of vectors.entries()) this.index.addPoint(Array.from(v), labels[i], false);
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

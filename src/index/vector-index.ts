/** One nearest-neighbour hit: the stored item's label and its cosine similarity to the query. */
export interface VectorHit {
  label: number;
  score: number;
}

/**
 * A searchable set of unit vectors. Retrieval only knows this interface;
 * each backend (HNSW, exact) lives in its own file.
 */
export interface VectorIndex {
  readonly dimension: number;
  readonly size: number;
  /** Up to `k` nearest items, most similar first. */
  search(query: Float32Array, k: number): VectorHit[];
}

/** Dot product: the cosine similarity of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[bOffset + i];
  return sum;
}

export function isZeroVector(v: Float32Array): boolean {
  return v.every((x) => x === 0 || Number.isNaN(x));
}

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

/** One ranked list's say in the fusion: its weight and its items, best first. */
export interface RankedList {
  weight: number;
  ids: number[];
}

/**
 * Weighted reciprocal rank fusion: an item at rank r (0-based) of a list with
 * weight w earns w / (k + r + 1). Ranks, not raw scores, are fused, so BM25
 * scores and cosine similarities need no common scale.
 */
export function reciprocalRankFusion(lists: RankedList[], k = 60): Map<number, number> {
  const fused = new Map<number, number>();
  for (const { weight, ids } of lists) {
    for (const [rank, id] of ids.entries()) fused.set(id, (fused.get(id) ?? 0) + weight / (k + rank + 1));
  }
  return fused;
}

import type { Features } from './features.js';

/**
 * A learned scorer over candidate features (see features.ts), trained by
 * scripts/train-reranker.ts with a listwise softmax loss: a candidate's
 * probability of holding the answer, among the question's candidates, is
 * exp(score) over the sum. Either linear weights or a small ensemble of
 * regression trees (gradient boosting), or both summed; plain arithmetic,
 * no dependency.
 */
export interface RerankModel {
  /** What the model was trained and measured on (free text, for people). */
  trainedOn: string;
  /** Weight of each feature used; features not named weigh nothing. */
  weights: Record<string, number>;
  /** Regression trees whose outputs add to the score. */
  trees?: Tree[];
  /**
   * The model trained without the word alignment (alignment.ts), used when it
   * cannot be computed: an embedding model that is not static has no token
   * vectors, and a model that leans on the alignment would lose meaning.
   */
  withoutAlignment?: RerankModel;
}

/** A leaf's value, or a split: `feature` below `threshold` goes left. */
export type Tree = number | { feature: string; threshold: number; left: Tree; right: Tree };

function treeScore(tree: Tree, features: Features): number {
  let node = tree;
  while (typeof node !== 'number') node = (features[node.feature] ?? 0) < node.threshold ? node.left : node.right;
  return node;
}

export function scoreOf(model: RerankModel, features: Features): number {
  let score = 0;
  for (const [name, weight] of Object.entries(model.weights)) score += weight * (features[name] ?? 0);
  for (const tree of model.trees ?? []) score += treeScore(tree, features);
  return score;
}

import type { Features } from './features.js';

/**
 * A learned linear scorer over candidate features (see features.ts),
 * trained by scripts/train-reranker.ts with a listwise softmax loss: a
 * candidate's probability of holding the answer, among the question's
 * candidates, is exp(score) over the sum. Plain arithmetic, no dependency.
 */
export interface RerankModel {
  /** What the weights were trained and measured on (free text, for people). */
  trainedOn: string;
  /** Weight of each feature used; features not named weigh nothing. */
  weights: Record<string, number>;
}

export function scoreOf(model: RerankModel, features: Features): number {
  let score = 0;
  for (const [name, weight] of Object.entries(model.weights)) score += weight * (features[name] ?? 0);
  return score;
}

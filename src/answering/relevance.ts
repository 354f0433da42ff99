import type { SearchIndex } from '../index/search-index.js';

/**
 * The weight of each of a question's terms: its IDF among the index's
 * sentences. Words the articles never use weigh the most, so "عاصمة البرازيل"
 * covers little of news about China and Russia even when a common word
 * matches. Computed once per question.
 */
export class TermWeights {
  private readonly weights: Map<string, number>;
  private readonly total: number;

  constructor(index: SearchIndex, terms: readonly string[]) {
    const unique = [...new Set(terms)];
    const n = index.sentenceCount;
    const frequencies = index.documentFrequencies(unique);
    this.weights = new Map(unique.map((term, i) => [term, Math.log(1 + n / (1 + frequencies[i]))]));
    this.total = [...this.weights.values()].reduce((sum, w) => sum + w, 0);
  }

  /** The share of the question's information (IDF-weighted terms) that a passage's terms hold, from 0 to 1. */
  coverage(passageTerms: ReadonlySet<string>): number {
    if (this.total === 0) return 0;
    let covered = 0;
    for (const [term, weight] of this.weights) if (passageTerms.has(term)) covered += weight;
    return covered / this.total;
  }
}

import { analyze } from '../arabic/tokens.js';
import type { SearchIndex } from '../search/search-index.js';

/**
 * The weight of each of a question's words: the IDF of its terms among the
 * index's sentences. Words the articles never use weigh the most, so "عاصمة
 * البرازيل" covers little of news about China and Russia even when a common
 * word matches. Computed once per question.
 */
export class TermWeights {
  private readonly groups: { terms: readonly string[]; weight: number }[];
  private readonly total: number;

  /** The weights of a question's words (`groups`: each word as its terms, see analyze), in one call to the index. */
  static async of(index: SearchIndex, groups: readonly (readonly string[])[]): Promise<TermWeights> {
    const unique = [...new Map(groups.map((g) => [g.join(' '), g])).values()];
    const terms = [...new Set(unique.flat())];
    return new TermWeights(unique, terms, index.sentenceCount, await index.documentFrequencies(terms));
  }

  private constructor(
    unique: readonly (readonly string[])[],
    terms: readonly string[],
    n: number,
    frequencies: readonly number[],
  ) {
    const idf = new Map(terms.map((term, i) => [term, Math.log(1 + n / (1 + frequencies[i]))]));
    const used = new Set(terms.filter((_, i) => frequencies[i] > 0));
    // A word with two readings ("لسويسرا": "ل" + "سويسرا"; "لبنان": one word, or "ل" + "بنان") weighs as
    // the rarer of the readings the articles use: "لسويسرا" as "سويسرا", "لبنان" as "لبنان", not "بنان".
    const weightOf = (g: readonly string[]) => {
      const attested = g.filter((t) => used.has(t));
      return Math.max(...(attested.length ? attested : g).map((t) => idf.get(t) ?? 0));
    };
    this.groups = unique.map((g) => ({ terms: g, weight: weightOf(g) }));
    this.total = this.groups.reduce((sum, g) => sum + g.weight, 0);
  }

  /** The weight of one of the question's words (see words), as coverage weighs it; 0 for a word it does not weigh. */
  weightOfWord(word: string): number {
    const [group] = analyze(word);
    if (!group) return 0;
    const key = group.join(' ');
    return this.groups.find((g) => g.terms.join(' ') === key)?.weight ?? 0;
  }

  /** The share of the question's information (IDF-weighted words) that a passage's terms hold, from 0 to 1. */
  coverage(passageTerms: ReadonlySet<string>): number {
    if (this.total === 0) return 0;
    let covered = 0;
    for (const { terms, weight } of this.groups) if (terms.some((t) => passageTerms.has(t))) covered += weight;
    return covered / this.total;
  }
}

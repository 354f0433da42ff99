import { contentTerms } from '../arabic/tokens.js';
import type { SearchIndex } from '../index/open.js';

/**
 * The share of the question's information (IDF-weighted content words) that
 * a passage holds. Words the articles never use weigh the most, so "عاصمة
 * البرازيل" scores 0 against news about China and Russia even when a common
 * word matches.
 *
 * @param passage the passage's text, or its content terms when already known.
 */
export function termCoverage(index: SearchIndex, questionTerms: string[], passage: string | ReadonlySet<string>): number {
  if (questionTerms.length === 0) return 0;
  const n = index.sentenceLexical.size;
  const present = typeof passage === 'string' ? new Set(contentTerms(passage)) : passage;
  let total = 0;
  let covered = 0;
  for (const term of new Set(questionTerms)) {
    const idf = Math.log(1 + n / (1 + index.sentenceLexical.documentFrequency(term)));
    total += idf;
    if (present.has(term)) covered += idf;
  }
  return total === 0 ? 0 : covered / total;
}

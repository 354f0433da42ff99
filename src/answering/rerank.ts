import { contentTerms } from '../arabic/tokens.js';
import type { LocalIndex as SearchIndex } from '../search/local/local-index.js';
import { holdsAnswerType } from './answer-type.js';
import type { RerankOptions } from './options.js';
import type { Question } from './question.js';
import type { TermWeights } from './relevance.js';
import type { Candidate } from './retrieve.js';

/** A candidate after reranking: `score` orders the quotes. */
export interface RankedSentence extends Candidate {
  /** Cosine similarity of the sentence to the question (0 without a question vector). */
  similarity: number;
  score: number;
}

// Title terms per build, analysed once: a build never changes, and looking an article up may cost.
const titles = new WeakMap<SearchIndex, { version: string; terms: Map<string, ReadonlySet<string>> }>();

/** The terms of an article's title (see analyze). */
function titleTerms(index: SearchIndex, articleId: string): ReadonlySet<string> {
  let known = titles.get(index);
  if (known?.version !== index.version) {
    known = { version: index.version, terms: new Map() };
    titles.set(index, known);
  }
  let terms = known.terms.get(articleId);
  if (!terms) {
    terms = new Set(contentTerms(index.article(articleId)?.title ?? ''));
    known.terms.set(articleId, terms);
  }
  return terms;
}

/**
 * Reorders the best fused candidates by how much of the question each
 * sentence's window (the sentence and its neighbours) actually holds: fusion
 * finds the right passage, this picks the sentence in it that answers. The
 * article's title counts too: it names what the article is about, which its
 * sentences take for granted. Only the reranked candidates go on, so every
 * score is on the same scale.
 */
export function rerank(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
): RankedSentence[] {
  const top = candidates.slice(0, options.depth);
  const best = top[0]?.fused || 1;
  const titleCoverage = new Map<string, number>();
  const titleCoverageOf = (articleId: string): number => {
    let coverage = titleCoverage.get(articleId);
    if (coverage === undefined) {
      coverage = weights.coverage(titleTerms(index, articleId));
      titleCoverage.set(articleId, coverage);
    }
    return coverage;
  };
  const { vector } = question;
  const questionTerms = [...new Set(question.terms.flat())];
  const similarities = vector
    ? index.sentenceSimilarities(
        vector,
        top.map((c) => c.id),
      )
    : top.map(() => 0);
  const ranked = top.map((candidate, i): RankedSentence => {
    const similarity = similarities[i];
    const window = index.window(candidate.id, options.windowRadius);
    // Coverage asks only after the question's terms: the index knows which a sentence holds.
    const windowTerms = index.termsIn(
      window.map((s) => s.id),
      questionTerms,
    );
    const sentence = window.find((s) => s.id === candidate.id);
    const text = sentence?.text ?? '';
    const score =
      candidate.fused / best +
      options.windowCoverage * weights.coverage(windowTerms) +
      (sentence ? options.titleCoverage * titleCoverageOf(sentence.articleId) : 0) +
      options.similarity * similarity +
      (holdsAnswerType(text, question.answerType) ? options.answerType : 0);
    return { ...candidate, similarity, score };
  });
  return ranked.sort((a, b) => b.score - a.score);
}

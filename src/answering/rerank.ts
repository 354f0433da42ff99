import { contentTerms } from '../arabic/tokens.js';
import type { SearchIndex } from '../index/search-index.js';
import { type CandidateData, FEATURE_GROUPS, type Features, featuresOf, questionFacts } from './features.js';
import type { RerankOptions } from './options.js';
import type { Question } from './question.js';
import type { TermWeights } from './relevance.js';
import type { Candidate } from './retrieve.js';
import { scoreOf } from './scorer.js';

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

/** What the rerank fetched from the index for its candidates, and the features computed from it. */
export interface RerankInput {
  top: Candidate[];
  data: CandidateData[];
  features: Features[];
}

/**
 * Fetches what the features need for the best `options.depth` fused
 * candidates (their windows, the question's terms in them, their titles'
 * coverage, their similarity) and computes the features (features.ts, pure).
 */
export function rerankInput(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
  /** Every feature, not only the model's (for training). */
  all = false,
): RerankInput {
  const top = candidates.slice(0, options.depth);
  const bestFused = top[0]?.fused || 1;
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
  // Numbers are terms too (see numbers.ts): "الأربعين" and "40" are one.
  const questionNumbers = questionTerms.filter((t) => /^[0-9]/.test(t));
  const similarities = vector
    ? index.sentenceSimilarities(
        vector,
        top.map((c) => c.id),
      )
    : top.map(() => 0);
  const data = top.map((candidate, i): CandidateData => {
    const window = index.window(candidate.id, options.windowRadius);
    // Coverage asks only after the question's terms: the index knows which a sentence holds.
    const windowTerms = index.termsIn(
      window.map((s) => s.id),
      questionTerms,
    );
    const sentence = window.find((s) => s.id === candidate.id);
    return {
      fused: candidate.fused,
      bestFused,
      ranks: candidate.ranks ?? [],
      text: sentence?.text ?? '',
      articleId: sentence?.articleId ?? '',
      position: sentence?.position ?? -1,
      before: window.find((s) => s.id === candidate.id - 1)?.text ?? '',
      after: window.find((s) => s.id === candidate.id + 1)?.text ?? '',
      windowTerms,
      titleCoverage: sentence ? titleCoverageOf(sentence.articleId) : 0,
      similarity: similarities[i],
      holdsQuestionNumber: questionNumbers.length > 0 && index.termsIn([candidate.id], questionNumbers).size > 0,
    };
  });
  // Only what the model weighs is computed (the hand score weighs the base features).
  const wanted = options.model ? Object.keys(options.model.weights) : FEATURE_GROUPS.base;
  return { top, data, features: featuresOf(questionFacts(question, weights), data, all ? undefined : wanted) };
}

/** Today's hand-weighted score (options' weights), used when no learned model is configured. */
function handScore(f: Features, options: RerankOptions): number {
  return (
    f.fused +
    options.windowCoverage * f.windowCoverage +
    options.titleCoverage * f.titleCoverage +
    options.similarity * f.similarity +
    options.answerType * f.answerType
  );
}

/**
 * Reorders the best fused candidates by how likely each sentence is to hold
 * the answer: fusion finds the right passage, this picks the sentence in it
 * that answers. A learned linear model (scorer.ts) weighs the features of
 * features.ts: how much of the question the sentence, its window and its
 * article's title hold, its meaning, its answer type, where the lists agree.
 * Only the reranked candidates go on, so every score is on the same scale.
 */
export function rerank(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
): RankedSentence[] {
  const { top, data, features } = rerankInput(index, question, weights, candidates, options);
  const { model } = options;
  const ranked = top.map(
    (candidate, i): RankedSentence => ({
      ...candidate,
      similarity: data[i].similarity,
      score: model ? scoreOf(model, features[i]) : handScore(features[i], options),
    }),
  );
  return ranked.sort((a, b) => b.score - a.score);
}

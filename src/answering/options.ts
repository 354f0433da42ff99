import { BUILT_IN_MODEL, isE5 } from '../embedding/models.js';
import type { QuoteUnitModel } from './quote-unit.js';
import shippedUnit from './quote-unit.json' with { type: 'json' };
import shipped from './reranker.json' with { type: 'json' };
import type { RerankModel } from './scorer.js';

/** The shipped rerank model: trained on ARCD train (and seed-qa) by scripts/train-reranker.ts. */
export const SHIPPED_RERANK_MODEL: RerankModel = shipped;

/** The shipped quote unit: trained on ARCD train (and seed-qa) by scripts/train-reranker.ts --write-unit. */
export const SHIPPED_QUOTE_UNIT: QuoteUnitModel = shippedUnit;

/**
 * The tuning knobs of answering, one group per stage. Every default is in
 * DEFAULT_ANSWER_OPTIONS below; the numbers were tuned on ARCD train and the
 * seed questions with the built-in model (see README, "Answer quality").
 */
export interface AnswerOptions {
  fusion: FusionOptions;
  rerank: RerankOptions;
  quoting: QuotingOptions;
  notFound: NotFoundOptions;
}

/** Stage 1: four ranked lists of sentences, fused by weighted reciprocal rank. */
export interface FusionOptions {
  /** BM25 over single sentences. Default 2. */
  lexicalSentence: number;
  /** BM25 over chunks; a sentence inherits its chunk's rank. Default 1. */
  lexicalChunk: number;
  /** Cosine over sentence vectors (HNSW). Default 0.5. */
  denseSentence: number;
  /** Cosine over chunk vectors (HNSW). Default 1. */
  denseChunk: number;
  /** The RRF constant k: an item at rank r earns weight / (k + r + 1). Default 10. */
  k: number;
  /** Hits each list contributes. Default 50. */
  depth: number;
}

/** Stage 2: the best fused sentences reordered by how much of the question they hold. */
export interface RerankOptions {
  /** How many fused candidates are reranked; only they go on. Default 30. */
  depth: number;
  /** Sentences either side of a candidate that count as its window. Default 1. */
  windowRadius: number;
  /** Weight of the share of the question's IDF-weighted terms in the window. Default 1. */
  windowCoverage: number;
  /** Weight of the share of the question's IDF-weighted terms in the title of the sentence's article. Default 1. */
  titleCoverage: number;
  /** Weight of the sentence's cosine similarity to the question. Default 1. */
  similarity: number;
  /** Bonus for a sentence that holds the kind of answer asked for ("متى" → a date, "كم" → a number). Default 0.4. */
  answerType: number;
  /**
   * A learned scorer over the candidates' features (scorer.ts); null: the
   * hand weights above. Default: the shipped model (reranker.json).
   */
  model: RerankModel | null;
}

/** Stage 3: ranked sentences turned into quotes. */
export interface QuotingOptions {
  /** A neighbour sentence joins a quote when its fused score is at least this share of the quote's. Default 0.7. */
  neighbourShare: number;
  /** Without a unit model: a neighbour joins a quote only if the two stay within this many characters. Default 800. */
  maxChars: number;
  /**
   * The learned quote unit (quote-unit.ts, trained by scripts/train-reranker.ts
   * --unit): which neighbour joins a quote, and the quote's length cap; null: the
   * rules (leansOnBefore, completedByAfter, neighbourShare) within maxChars.
   * Default: the shipped model (quote-unit.json).
   */
  unit: QuoteUnitModel | null;
  /** Whether quotes after the first use the unit model too (else the rules). Default true. */
  unitForFurther: boolean;
  /** Two sentences are the same statement when this share of the shorter one's terms is in the other. Default 0.7. */
  duplicateOverlap: number;
  /** Sentences with fewer terms are never merged as duplicates (too short to tell from coincidence). Default 5. */
  minDuplicateTerms: number;
}

/**
 * Stage 4: whether the best quotes are relevant enough to show. A question
 * is answered when its words are found (coverage) and, with the meaning
 * (similarity), make a strong enough case; or when the meaning alone is
 * unmistakable (a question in another language than the articles').
 */
export interface NotFoundOptions {
  /** Minimum share of the question's IDF-weighted terms in one of the first quotes. Default 0.2. */
  coverage: number;
  /** Minimum coverage + cosine similarity. Default 0.97 (built-in model). */
  combined: number;
  /** Cosine similarity that is enough on its own; model-specific (MIN_SIMILARITY). Default 0.9. */
  similarity: number;
  /**
   * A quote after the first, from another article than the first quote's, is
   * shown only when its rerank score is at most this far below the best
   * one's (the learned score is a log-odds: 3 means about 20 times less
   * likely to hold the answer). Default 3.
   */
  margin: number;
  /**
   * The same for a further quote from the first quote's article: looser, as
   * the right article's other sentences (its neighbours included) often hold
   * the answer when the first does not, while another article's seldom do.
   * Default 8.
   */
  sameArticleMargin: number;
  /** How many of the first quotes are checked for coverage. Default 3. */
  quotes: number;
  /** How many of the first ranked sentences are checked for similarity. Default 10. */
  sentences: number;
}

export const DEFAULT_ANSWER_OPTIONS: AnswerOptions = {
  fusion: { lexicalSentence: 2, lexicalChunk: 1, denseSentence: 0.5, denseChunk: 1, k: 10, depth: 50 },
  rerank: {
    depth: 30,
    windowRadius: 1,
    windowCoverage: 1,
    titleCoverage: 1,
    similarity: 1,
    answerType: 0.4,
    model: SHIPPED_RERANK_MODEL,
  },
  quoting: {
    neighbourShare: 0.7,
    maxChars: 800,
    unit: SHIPPED_QUOTE_UNIT,
    unitForFurther: true,
    duplicateOverlap: 0.7,
    minDuplicateTerms: 5,
  },
  notFound: {
    coverage: 0.2,
    combined: 0.97,
    similarity: 0.9,
    margin: 3,
    sameArticleMargin: 8,
    quotes: 3,
    sentences: 10,
  },
};

/**
 * Not-found thresholds by model. Cosines of different models live on
 * different scales: e5's sit in a narrow high band (about 0.7–0.9), hence its
 * higher bars. The e5 values are estimates: e5 cannot be downloaded where
 * this was calibrated (MIN_SIMILARITY adjusts them).
 */
const CALIBRATED: { test: (model: string) => boolean; notFound: Partial<NotFoundOptions> }[] = [
  // The defaults are the built-in model's calibration (FORMAT_VERSION 4). On the seed corpus the
  // highest coverage + similarity among the 22 Arabic off-topic questions is 0.93 and the lowest
  // among the 13 answered Arabic seed questions 1.03; on ARCD train 6 of 693 answerable questions
  // (0.9%) fall below 0.97, mostly ones that share no word with their answer.
  { test: (model) => model === BUILT_IN_MODEL, notFound: {} },
  { test: isE5, notFound: { combined: 1.08, similarity: 0.86 } },
];

/**
 * The options for answering from an index built with `model`, with the
 * defaults where `overrides` says nothing.
 */
export function answerOptionsFor(model: string, overrides: { minSimilarity?: number } = {}): AnswerOptions {
  const calibrated = CALIBRATED.find((c) => c.test(model))?.notFound ?? {};
  const notFound = { ...DEFAULT_ANSWER_OPTIONS.notFound, ...calibrated };
  if (overrides.minSimilarity !== undefined) notFound.similarity = overrides.minSimilarity;
  return { ...DEFAULT_ANSWER_OPTIONS, notFound };
}

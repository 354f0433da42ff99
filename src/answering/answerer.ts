import { writtenLanguage } from '../arabic/language.js';
import { contentTerms } from '../arabic/tokens.js';
import type { Embedder } from '../embedding/embedder.js';
import type { SearchIndex } from '../search/search-index.js';
import type { AnswerOptions, NotFoundOptions } from './options.js';
import { analyseQuestion } from './question.js';
import { type Quote, selectQuotes } from './quotes.js';
import { TermWeights } from './relevance.js';
import { type RankedSentence, rerank } from './rerank.js';
import { type RetrievalTimings, retrieve } from './retrieve.js';

/** The reply to a question: quotes, or why there are none. */
export interface Answer {
  question: string;
  /** False when nothing in the articles is relevant enough to quote, or the question's language cannot be read. */
  found: boolean;
  /** The quotes, best first (empty when not found). */
  quotes: Quote[];
  /**
   * Set when the question is written in a language the model cannot read
   * (ISO 639-1, e.g. "en"): the reply says, in that language, that questions
   * are searched in Arabic.
   */
  unsupportedLanguage?: string;
  /** What the not-found check weighed (see NotFoundOptions); absent when the question was not searched. */
  relevance?: Relevance;
}

/** How strongly the best quotes answer a question: what the not-found check compares with its thresholds. */
export interface Relevance {
  /** The largest share of the question's IDF-weighted terms held by one of the first quotes (0 to 1). */
  coverage: number;
  /** The largest cosine similarity of one of the first ranked sentences to the question. */
  similarity: number;
}

export interface AskOptions {
  /** Number of quotes. Default 3 (ANSWER_COUNT). */
  count?: number;
  /** Quotes to pass over first: the "more" button asks for the next page. Default 0. */
  offset?: number;
}

/** Stage timings of one question, in milliseconds. */
export interface AnswerTimings extends RetrievalTimings {
  embedding: number;
  /** The rerank: fetching the candidates' windows and titles, their features, the learned score. */
  rerank: number;
  quotes: number;
}

export const DEFAULT_QUOTE_COUNT = 3;

export function emptyTimings(): AnswerTimings {
  return { embedding: 0, hnsw: 0, lexical: 0, fusion: 0, rerank: 0, quotes: 0 };
}

/**
 * Answers questions from one index: question → candidates (retrieve) →
 * ranked sentences (rerank) → quotes → relevance check → answer.
 */
export class Answerer {
  constructor(
    readonly index: SearchIndex,
    private readonly embedder: Embedder,
    readonly options: AnswerOptions,
  ) {}

  async ask(
    text: string,
    { count = DEFAULT_QUOTE_COUNT, offset = 0 }: AskOptions = {},
    timings?: AnswerTimings,
  ): Promise<Answer> {
    const asked = text.trim();
    const language = writtenLanguage(asked);
    const { languages } = this.embedder;
    if (language && languages && !languages.includes(language)) {
      return { question: asked, found: false, quotes: [], unsupportedLanguage: language };
    }
    let t = performance.now();
    const question = analyseQuestion(asked, await this.embedder.embedQuery(asked));
    if (timings) timings.embedding += performance.now() - t;

    // The words' weights and the searches at once: neither needs the other (an engine across a network
    // answers both together, and its lexical searches wait for the weights' query rather than sending one).
    const [weights, candidates] = await Promise.all([
      TermWeights.of(this.index, question.terms),
      retrieve(this.index, question, this.options.fusion, timings),
    ]);
    t = performance.now();
    const ranked = await rerank(this.index, question, weights, candidates, this.options.rerank, this.embedder);
    if (timings) timings.rerank += performance.now() - t;

    t = performance.now();
    const { notFound } = this.options;
    const best = ranked[0]?.score ?? 0;
    // The first quote is the answer's; each further one must stand on its own: its own rerank score
    // close enough to the best (a log-odds of holding the answer), so an answer is never padded. The
    // first quote's article earns a looser margin than the others (see NotFoundOptions).
    const quotes = await selectQuotes(this.index, ranked, count + offset, this.options.quoting, {
      answerType: question.answerType,
      coverage: (text) => weights.coverage(new Set(contentTerms(text))),
      accept: (candidate, { articleId, firstArticleId }) =>
        best - candidate.score <= (articleId === firstArticleId ? notFound.sameArticleMargin : notFound.margin),
    });
    const relevance = relevanceOf(weights, quotes, ranked, notFound);
    const found = quotes.length > 0 && isRelevant(relevance, notFound);
    if (timings) timings.quotes += performance.now() - t;
    return { question: asked, found, quotes: found ? quotes.slice(offset, offset + count) : [], relevance };
  }
}

/** The coverage and similarity of the best quotes and sentences (see NotFoundOptions.quotes, .sentences). */
function relevanceOf(
  weights: TermWeights,
  quotes: Quote[],
  ranked: RankedSentence[],
  options: NotFoundOptions,
): Relevance {
  const coverage = Math.max(
    0,
    ...quotes.slice(0, options.quotes).map((q) => weights.coverage(new Set(contentTerms(q.text)))),
  );
  const similarity = Math.max(0, ...ranked.slice(0, options.sentences).map((r) => r.similarity));
  return { coverage, similarity };
}

/**
 * Whether the best quotes answer the question well enough to show (see
 * NotFoundOptions): enough of its terms found and, with the meaning, a
 * strong enough case; or the meaning alone unmistakable.
 */
export function isRelevant({ coverage, similarity }: Relevance, options: NotFoundOptions): boolean {
  return (
    (coverage >= options.coverage && coverage + similarity >= options.combined) || similarity >= options.similarity
  );
}

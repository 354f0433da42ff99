import type { Answer } from '../answering/answerer.js';
import { normalizeForSearch } from '../arabic/normalize.js';
import type { EvalQuestion } from './datasets.js';

/** Rank (1-based) of the first quote that answers the question, or 0. */
export function firstHitRank(question: EvalQuestion, answer: Answer): number {
  const golds = question.answers.map(normalizeForSearch).filter(Boolean);
  const index = answer.quotes.findIndex(
    (quote) =>
      (question.sources.length === 0 || question.sources.includes(quote.articleId)) &&
      golds.some((gold) => normalizeForSearch(quote.text).includes(gold)),
  );
  return index + 1;
}

/** Whether a question was answered wrongly: an answerable one not in the first three quotes, or an off-topic one answered. */
export function isMiss({ question, answer }: { question: EvalQuestion; answer: Answer }): boolean {
  if (question.noAnswer) return answer.found;
  const rank = firstHitRank(question, answer);
  return rank === 0 || rank > 3;
}

/** The p-th percentile (nearest rank) of a list of values; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface EvalSummary {
  questions: number;
  /**
   * Questions in a language the model cannot read (they get the "questions
   * are searched in Arabic" reply): counted apart, in no figure below.
   */
  unreadable: number;
  /** Answerable questions the model can read: what hit@1, hit@3, MRR and false not-found are shares of. */
  answerable: number;
  hitAt1: number;
  hitAt3: number;
  mrr: number;
  /** Share of unanswerable questions answered "not found" (null when there are none). */
  notFoundAccuracy: number | null;
  /** Share of answerable questions wrongly answered "not found". */
  falseNotFound: number;
  /**
   * How much room the not-found check has (its "combined" figure, coverage +
   * similarity; see NotFoundOptions): the lowest among answerable questions
   * answered in the first three quotes, and the highest among unanswerable
   * ones (null when there are none, or none was searched).
   */
  combined: { lowestFound: number | null; highestNoAnswer: number | null };
  /** Quotes per found answer (0 when none was found). */
  quotesPerAnswer: number;
  /**
   * Quotes per found answer from an article that does not hold the answer
   * (answerable questions that name their sources only).
   */
  otherArticleQuotes: number;
  /** The first quote's average length in characters, over found answers. */
  firstQuoteChars: number;
  latencyMs: { p50: number; p95: number };
}

export interface EvalRecord {
  question: EvalQuestion;
  answer: Answer;
  ms: number;
}

/** The smallest or largest "combined" figure among records whose question was searched. */
function extreme(pick: (...values: number[]) => number, records: EvalRecord[]): number | null {
  const values = records.flatMap((r) =>
    r.answer.relevance ? [r.answer.relevance.coverage + r.answer.relevance.similarity] : [],
  );
  return values.length ? Number(pick(...values).toFixed(3)) : null;
}

const mean = (values: number[]) =>
  values.length === 0 ? 0 : Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(4));

export function summarize(records: EvalRecord[]): EvalSummary {
  const readable = records.filter((r) => !r.answer.unsupportedLanguage);
  const answerable = readable.filter((r) => !r.question.noAnswer);
  const unanswerable = readable.filter((r) => r.question.noAnswer);
  const ranks = answerable.map((r) => firstHitRank(r.question, r.answer));
  const share = (n: number, d: number) => (d === 0 ? 0 : Number((n / d).toFixed(4)));
  const found = readable.filter((r) => r.answer.found && r.answer.quotes.length > 0);
  const sourced = found.filter((r) => !r.question.noAnswer && r.question.sources.length > 0);
  return {
    questions: records.length,
    unreadable: records.length - readable.length,
    answerable: answerable.length,
    hitAt1: share(ranks.filter((r) => r === 1).length, answerable.length),
    hitAt3: share(ranks.filter((r) => r >= 1 && r <= 3).length, answerable.length),
    mrr: share(
      ranks.reduce((sum, r) => sum + (r > 0 ? 1 / r : 0), 0),
      answerable.length,
    ),
    notFoundAccuracy: unanswerable.length
      ? share(unanswerable.filter((r) => !r.answer.found).length, unanswerable.length)
      : null,
    falseNotFound: share(answerable.filter((r) => !r.answer.found).length, answerable.length),
    combined: {
      lowestFound: extreme(
        Math.min,
        answerable.filter((r) => !isMiss(r)),
      ),
      highestNoAnswer: extreme(Math.max, unanswerable),
    },
    quotesPerAnswer: mean(found.map((r) => r.answer.quotes.length)),
    otherArticleQuotes: mean(
      sourced.map((r) => r.answer.quotes.filter((q) => !r.question.sources.includes(q.articleId)).length),
    ),
    firstQuoteChars: Math.round(mean(found.map((r) => r.answer.quotes[0].text.length))),
    latencyMs: {
      p50: Number(
        percentile(
          records.map((r) => r.ms),
          50,
        ).toFixed(2),
      ),
      p95: Number(
        percentile(
          records.map((r) => r.ms),
          95,
        ).toFixed(2),
      ),
    },
  };
}

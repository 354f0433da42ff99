import { contentTerms } from '../arabic/tokens.js';
import type { SearchIndex } from '../search/search-index.js';
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

/** The terms of the articles' titles (see analyze), by article id; one call for those not known yet. */
async function titleTerms(
  index: SearchIndex,
  articleIds: readonly string[],
): Promise<Map<string, ReadonlySet<string>>> {
  let known = titles.get(index);
  if (known?.version !== index.version) {
    known = { version: index.version, terms: new Map() };
    titles.set(index, known);
  }
  const { terms } = known;
  const missing = [...new Set(articleIds)].filter((id) => !terms.has(id));
  if (missing.length > 0) {
    const metas = await index.articleMetas(missing);
    for (const [i, id] of missing.entries()) terms.set(id, new Set(contentTerms(metas[i]?.title ?? '')));
  }
  return terms;
}

/**
 * Reorders the best fused candidates by how much of the question each
 * sentence's window (the sentence and its neighbours) actually holds: fusion
 * finds the right passage, this picks the sentence in it that answers. The
 * article's title counts too: it names what the article is about, which its
 * sentences take for granted. Only the reranked candidates go on, so every
 * score is on the same scale. Asks the index for all candidates at once
 * (similarities and windows, then the windows' terms, then titles not known yet).
 */
export async function rerank(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
): Promise<RankedSentence[]> {
  const top = candidates.slice(0, options.depth);
  const best = top[0]?.fused || 1;
  const ids = top.map((c) => c.id);
  const { vector } = question;
  const questionTerms = [...new Set(question.terms.flat())];
  const [similarities, windows] = await Promise.all([
    vector ? index.sentenceSimilarities(vector, ids) : ids.map(() => 0),
    index.windows(ids, options.windowRadius),
  ]);
  // Coverage asks only after the question's terms: the index knows which a sentence holds.
  const windowTerms = await index.termsIn(
    windows.map((window) => window.map((s) => s.id)),
    questionTerms,
  );
  const sentences = top.map((candidate, i) => windows[i].find((s) => s.id === candidate.id));
  const titleTermsOf = await titleTerms(
    index,
    sentences.flatMap((s) => (s ? [s.articleId] : [])),
  );
  const titleCoverage = new Map<string, number>();
  const titleCoverageOf = (articleId: string): number => {
    let coverage = titleCoverage.get(articleId);
    if (coverage === undefined) {
      coverage = weights.coverage(titleTermsOf.get(articleId) ?? new Set());
      titleCoverage.set(articleId, coverage);
    }
    return coverage;
  };
  const ranked = top.map((candidate, i): RankedSentence => {
    const similarity = similarities[i];
    const sentence = sentences[i];
    const text = sentence?.text ?? '';
    const score =
      candidate.fused / best +
      options.windowCoverage * weights.coverage(windowTerms[i]) +
      (sentence ? options.titleCoverage * titleCoverageOf(sentence.articleId) : 0) +
      options.similarity * similarity +
      (holdsAnswerType(text, question.answerType) ? options.answerType : 0);
    return { ...candidate, similarity, score };
  });
  return ranked.sort((a, b) => b.score - a.score);
}

import { contentTerms } from '../arabic/tokens.js';
import type { Embedder } from '../embedding/embedder.js';
import type { SearchIndex } from '../search/search-index.js';
import { alignments } from './alignment.js';
import {
  type CandidateData,
  FEATURE_GROUPS,
  type Features,
  FROM_ALIGNMENT,
  featuresOf,
  questionFacts,
} from './features.js';
import type { RerankOptions } from './options.js';
import type { Question } from './question.js';
import type { TermWeights } from './relevance.js';
import type { Candidate } from './retrieve.js';
import { type RerankModel, scoreOf } from './scorer.js';

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

/** What the rerank fetched from the index for its candidates, and the features computed from it. */
export interface RerankInput {
  top: Candidate[];
  data: CandidateData[];
  features: Features[];
}

/**
 * Fetches what the features need for the best `options.depth` fused
 * candidates, all candidates at once (similarities and windows, then the
 * windows' terms, then titles not known yet), and computes the features
 * (features.ts, pure: every index engine gives the same).
 */
export async function rerankInput(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
  /** The token vectors the word alignment needs (alignment.ts); without, its features are 0. */
  embedder?: Pick<Embedder, 'tokens'>,
  /** Every feature, not only the model's (for training). */
  all = false,
): Promise<RerankInput> {
  const top = candidates.slice(0, options.depth);
  const bestFused = top[0]?.fused || 1;
  const ids = top.map((c) => c.id);
  const { vector } = question;
  const questionTerms = [...new Set(question.terms.flat())];
  // Numbers are terms too (see numbers.ts): "الأربعين" and "40" are one.
  const questionNumbers = questionTerms.filter((t) => /^[0-9]/.test(t));
  // One round for all three: a window is its sentence and up to windowRadius either side in the same article, so
  // the terms of every sentence that may be in one are asked for at once, and each window's are put together below.
  const near = [
    ...new Set(
      ids.flatMap((id) =>
        Array.from({ length: 2 * options.windowRadius + 1 }, (_, i) => id - options.windowRadius + i),
      ),
    ),
    // No upper bound: an engine's ids need not be dense (postgres's, after removals, run past sentenceCount);
    // ids outside the build simply hold no terms.
  ].filter((id) => id >= 0);
  const windowsRead = index.windows(ids, options.windowRadius);
  const [windows, similarities, termsOfNear] = await Promise.all([
    windowsRead,
    // Once the windows are read: an engine across a network brings the sentences' vectors with them, and
    // then answers from memory.
    vector ? windowsRead.then(() => index.sentenceSimilarities(vector, ids)) : ids.map(() => 0),
    // Coverage asks only after the question's terms: the index knows which a sentence holds.
    questionTerms.length > 0
      ? index.termsIn(
          near.map((id) => [id]),
          questionTerms,
        )
      : near.map(() => new Set<string>()),
  ]);
  const termsOf = new Map(near.map((id, i) => [id, termsOfNear[i]]));
  const windowTerms = windows.map((window) => new Set(window.flatMap((s) => [...(termsOf.get(s.id) ?? [])])));
  const numbersHeld = ids.map((id) => new Set(questionNumbers.filter((n) => termsOf.get(id)?.has(n))));
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
  // Only what the model weighs is computed (the hand score weighs the base features).
  const model = modelFor(options, embedder);
  const wanted = model ? Object.keys(model.weights) : FEATURE_GROUPS.base;
  const aligned =
    embedder && (all || wanted.some((name) => FROM_ALIGNMENT.includes(name)))
      ? await alignments(
          embedder,
          question.text,
          weights,
          sentences.map((s) => s?.text ?? ''),
        )
      : [];
  const data = top.map((candidate, i): CandidateData => {
    const sentence = sentences[i];
    // The neighbours in the same article (windows stop at the article's edge), and the question's terms each holds.
    const before = windows[i].find((s) => s.id === candidate.id - 1);
    const after = windows[i].find((s) => s.id === candidate.id + 1);
    const termsOfNeighbour = (s: { id: number } | undefined) =>
      s ? (termsOf.get(s.id) ?? new Set<string>()) : new Set<string>();
    return {
      fused: candidate.fused,
      bestFused,
      ranks: candidate.ranks ?? [],
      text: sentence?.text ?? '',
      articleId: sentence?.articleId ?? '',
      position: sentence?.position ?? -1,
      before: before?.text ?? '',
      after: after?.text ?? '',
      windowTerms: windowTerms[i],
      ownTerms: termsOf.get(candidate.id) ?? new Set(),
      beforeTerms: termsOfNeighbour(before),
      afterTerms: termsOfNeighbour(after),
      titleCoverage: sentence ? titleCoverageOf(sentence.articleId) : 0,
      similarity: similarities[i],
      holdsQuestionNumber: numbersHeld[i].size > 0,
      alignment: aligned[i] ?? 0,
    };
  });
  return { top, data, features: featuresOf(questionFacts(question, weights), data, all ? undefined : wanted) };
}

/** The learned model, or the one trained without the word alignment when the embedder cannot align words. */
export function modelFor(options: RerankOptions, embedder?: Pick<Embedder, 'tokens'>): RerankModel | null {
  const { model } = options;
  return model?.withoutAlignment && !embedder?.tokens ? model.withoutAlignment : model;
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
 * features.ts: how much of the question the sentence's window and its
 * article's title hold, its meaning, its answer type, where the lists agree,
 * the article's lead, how much of the candidates its article holds, how
 * well the question's words align with the sentence's (alignment.ts). Only the
 * reranked candidates go on, so every score is on the same scale.
 */
export async function rerank(
  index: SearchIndex,
  question: Question,
  weights: TermWeights,
  candidates: Candidate[],
  options: RerankOptions,
  embedder?: Pick<Embedder, 'tokens'>,
): Promise<RankedSentence[]> {
  const { top, data, features } = await rerankInput(index, question, weights, candidates, options, embedder);
  const model = modelFor(options, embedder);
  const ranked = top.map(
    (candidate, i): RankedSentence => ({
      ...candidate,
      similarity: data[i].similarity,
      score: model ? scoreOf(model, features[i]) : handScore(features[i], options),
    }),
  );
  return ranked.sort((a, b) => b.score - a.score);
}

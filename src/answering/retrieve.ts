import type { SearchIndex } from '../index/open.js';
import { dot, isZeroVector } from '../index/vector-index.js';
import { row } from '../index/store.js';
import { reciprocalRankFusion } from './fusion.js';
import { contentTerms } from '../arabic/tokens.js';
import { termCoverage } from './relevance.js';
import { answerTypeOf, holdsAnswerType } from './answer-type.js';

/** How much each signal counts when sentences are ranked. */
export interface RetrievalWeights {
  /** BM25 over single sentences. */
  lexicalSentence: number;
  /** BM25 over chunks (a sentence inherits its chunk's rank). */
  lexicalChunk: number;
  /** Cosine over sentence vectors. */
  denseSentence: number;
  /** Cosine over chunk vectors (HNSW). */
  denseChunk: number;
  /** RRF constant. */
  k: number;
  /** How many hits each list contributes. */
  depth: number;
  /** Rerank: weight of the share of the question's IDF-weighted words in the sentence itself. */
  coverage: number;
  /** Rerank: the same over the sentence and its two neighbours. */
  windowCoverage: number;
  /** Rerank: weight of the sentence's cosine similarity to the question. */
  similarity: number;
  /** Rerank: bonus for a sentence holding the kind of answer asked for ("متى" → a date, "كم" → a number). */
  answerType: number;
  /** How many of the fused candidates are reranked. */
  rerankDepth: number;
}

/** Tuned on ARCD (train) with local/arabic-static-256; see README "Answer quality". */
export const DEFAULT_WEIGHTS: RetrievalWeights = {
  lexicalSentence: 2,
  lexicalChunk: 1,
  denseSentence: 0.5,
  denseChunk: 1,
  k: 10,
  depth: 50,
  coverage: 0,
  windowCoverage: 1,
  similarity: 0.3,
  answerType: 0.2,
  rerankDepth: 30,
};

export interface RankedSentence {
  id: number;
  score: number;
  /** The sentence's own retrieval score (fusion, before reranking by its window). */
  fused: number;
  /** Cosine similarity of the sentence to the question (0 without a question vector). */
  similarity: number;
}

/** Timings of the retrieval stages, in milliseconds. */
export interface RetrievalTimings {
  hnsw: number;
  lexical: number;
  fusion: number;
}

/**
 * Chunk hits handed down to their sentences: chunk by chunk, and within a
 * chunk the sentences closest to the question first.
 */
function sentencesOfChunks(index: SearchIndex, chunkIds: number[], similarity: (id: number) => number): number[] {
  const seen = new Set<number>();
  const ids: number[] = [];
  for (const c of chunkIds) {
    const { first, last } = index.chunks[c];
    const fresh = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seen.has(s));
    fresh.sort((a, b) => similarity(b) - similarity(a));
    for (const s of fresh) (seen.add(s), ids.push(s));
  }
  return ids;
}

/**
 * Ranks the index's sentences against a question, fusing four views: the
 * sentence's own words (BM25) and meaning (cosine), and the words and meaning
 * of the passage around it. Either side works alone: a question of rare
 * names is carried by BM25, a paraphrase by the vectors.
 */
export function rankSentences(
  index: SearchIndex,
  question: string,
  queryVector: Float32Array | null,
  weights: RetrievalWeights = DEFAULT_WEIGHTS,
  timings?: RetrievalTimings,
): RankedSentence[] {
  const { depth } = weights;
  const t = performance.now();
  const toSentences = (labels: number[]) => labels.map((l) => index.sentenceByLabel.get(l)!);
  const toChunks = (labels: number[]) => labels.map((l) => index.chunkByLabel.get(l)!);
  const lexicalSentences = toSentences(index.sentenceLexical.search(question, depth).map((h) => h.id));
  const lexicalChunks = toChunks(index.chunkLexical.search(question, depth).map((h) => h.id));
  const afterLexical = performance.now();

  const dense = queryVector && !isZeroVector(queryVector);
  const denseSentences = dense ? toSentences(index.sentenceHnsw.search(queryVector, depth).map((h) => h.label)) : [];
  const denseChunks = dense ? toChunks(index.chunkHnsw.search(queryVector, depth).map((h) => h.label)) : [];
  const afterHnsw = performance.now();

  const similarities = new Map<number, number>();
  const similarity = (id: number): number => {
    if (!dense) return 0;
    let value = similarities.get(id);
    if (value === undefined) similarities.set(id, (value = dot(queryVector, row(index.sentenceVectors, id))));
    return value;
  };
  const fused = reciprocalRankFusion(
    [
      { weight: weights.lexicalSentence, ids: lexicalSentences },
      { weight: weights.lexicalChunk, ids: sentencesOfChunks(index, lexicalChunks, similarity) },
      { weight: weights.denseSentence, ids: denseSentences },
      { weight: weights.denseChunk, ids: sentencesOfChunks(index, denseChunks, similarity) },
    ],
    weights.k,
  );
  const ranked = [...fused].map(([id, score]) => ({ id, score, fused: score, similarity: similarity(id) }));
  ranked.sort((a, b) => b.score - a.score);
  rerank(index, question, ranked, weights);
  if (timings) {
    timings.lexical += afterLexical - t;
    timings.hnsw += afterHnsw - afterLexical;
    timings.fusion += performance.now() - afterHnsw;
  }
  return ranked;
}

/**
 * Reorders the best fused candidates by how much of the question each
 * sentence (and its window) actually holds: fusion finds the right passage,
 * this picks the sentence in it that answers.
 */
function rerank(index: SearchIndex, question: string, ranked: RankedSentence[], weights: RetrievalWeights): void {
  const terms = contentTerms(question);
  const type = answerTypeOf(question);
  const top = ranked.slice(0, weights.rerankDepth);
  const best = top[0]?.score || 1;
  // Windows overlap: analyse each sentence once.
  const analysed = new Map<number, Set<string>>();
  const termsOf = (id: number): Set<string> => {
    let set = analysed.get(id);
    if (!set) analysed.set(id, (set = new Set(contentTerms(index.sentences[id].text))));
    return set;
  };
  for (const candidate of top) {
    const s = index.sentences[candidate.id];
    const window = new Set(
      [candidate.id - 1, candidate.id, candidate.id + 1]
        .filter((i) => index.sentences[i]?.article === s.article)
        .flatMap((i) => [...termsOf(i)]),
    );
    candidate.score =
      candidate.score / best +
      (weights.coverage ? weights.coverage * termCoverage(index, terms, termsOf(candidate.id)) : 0) +
      weights.windowCoverage * termCoverage(index, terms, window) +
      weights.similarity * candidate.similarity +
      (holdsAnswerType(s.text, type) ? weights.answerType : 0);
  }
  top.sort((a, b) => b.score - a.score);
  // Only reranked candidates go on, so every score is on the same scale.
  ranked.splice(0, ranked.length, ...top);
}

import type { PassageKind, SearchIndex } from '../index/search-index.js';
import { reciprocalRankFusion } from './fusion.js';
import type { FusionOptions } from './options.js';
import type { Question } from './question.js';

/** A sentence found for a question, and its fused retrieval score (weighted reciprocal rank fusion). */
export interface Candidate {
  id: number;
  fused: number;
  /** Its rank (0-based) in each fused list, in FusionOptions' order (lexical sentence, lexical chunk, dense sentence, dense chunk); -1 where absent. */
  ranks?: number[];
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
function sentencesOfChunks(index: SearchIndex, chunkIds: number[], vector: Float32Array | null): number[] {
  const seen = new Set<number>();
  const ids: number[] = [];
  for (const c of chunkIds) {
    const { first, last } = index.chunk(c);
    const fresh = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seen.has(s));
    for (const s of vector ? index.rankBySimilarity(vector, fresh) : fresh) {
      seen.add(s);
      ids.push(s);
    }
  }
  return ids;
}

/**
 * Finds the sentences that may answer a question, fusing four views: the
 * sentence's own words (BM25) and meaning (cosine), and the words and meaning
 * of the passage around it (chunks). Either side works alone: a question of
 * rare names is carried by BM25, a paraphrase by the vectors.
 *
 * @returns candidates, best fused score first.
 */
export function retrieve(
  index: SearchIndex,
  question: Question,
  options: FusionOptions,
  timings?: RetrievalTimings,
): Candidate[] {
  const { depth } = options;
  const t = performance.now();
  const lexical = (kind: PassageKind) => index.lexicalSearch(kind, question.text, depth).map((h) => h.id);
  const lexicalSentences = lexical('sentence');
  const lexicalChunks = lexical('chunk');
  const afterLexical = performance.now();

  const { vector } = question;
  const dense = (kind: PassageKind) => (vector ? index.denseSearch(kind, vector, depth).map((h) => h.id) : []);
  const denseSentences = dense('sentence');
  const denseChunks = dense('chunk');
  const afterHnsw = performance.now();

  const lists = [
    { weight: options.lexicalSentence, ids: lexicalSentences },
    { weight: options.lexicalChunk, ids: sentencesOfChunks(index, lexicalChunks, vector) },
    { weight: options.denseSentence, ids: denseSentences },
    { weight: options.denseChunk, ids: sentencesOfChunks(index, denseChunks, vector) },
  ];
  const fused = reciprocalRankFusion(lists, options.k);
  const rankIn = lists.map(({ ids }) => new Map(ids.map((id, rank) => [id, rank])));
  const candidates = [...fused].map(([id, score]) => ({
    id,
    fused: score,
    ranks: rankIn.map((ranks) => ranks.get(id) ?? -1),
  }));
  candidates.sort((a, b) => b.fused - a.fused);
  if (timings) {
    timings.lexical += afterLexical - t;
    timings.hnsw += afterHnsw - afterLexical;
    timings.fusion += performance.now() - afterHnsw;
  }
  return candidates;
}

import type { PassageKind, SearchIndex } from '../search/search-index.js';
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
 * Each list of chunk hits handed down to their sentences: chunk by chunk,
 * and within a chunk the sentences closest to the question first; a
 * sentence already handed down by an earlier chunk of the list is not
 * repeated. Two calls for all the lists: their chunks' spans, then the
 * order of every chunk's sentences.
 */
async function sentencesOfChunks(
  index: SearchIndex,
  lists: readonly number[][],
  vector: Float32Array | null,
): Promise<number[][]> {
  const spans = await index.chunks(lists.flat());
  let at = 0;
  // Per list, per chunk: the sentences not handed down yet, in article order.
  const groups = lists.map((list) => {
    const seen = new Set<number>();
    return list.map(() => {
      const { first, last } = spans[at++];
      const fresh = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seen.has(s));
      for (const s of fresh) seen.add(s);
      return fresh;
    });
  });
  const all = groups.flat();
  const ordered = vector && all.length > 0 ? await index.rankBySimilarity(vector, all) : all;
  let next = 0;
  return groups.map((chunks) => chunks.flatMap(() => ordered[next++]));
}

/**
 * Finds the sentences that may answer a question, fusing four views: the
 * sentence's own words (BM25) and meaning (cosine), and the words and meaning
 * of the passage around it (chunks). Either side works alone: a question of
 * rare names is carried by BM25, a paraphrase by the vectors.
 *
 * @returns candidates, best fused score first.
 */
export async function retrieve(
  index: SearchIndex,
  question: Question,
  options: FusionOptions,
  timings?: RetrievalTimings,
): Promise<Candidate[]> {
  const { depth } = options;
  const t = performance.now();
  const ids = (hits: Promise<{ id: number }[]>) => hits.then((h) => h.map((hit) => hit.id));
  const lexical = (kind: PassageKind) => ids(index.lexicalSearch(kind, question.text, depth));
  const [lexicalSentences, lexicalChunks] = await Promise.all([lexical('sentence'), lexical('chunk')]);
  const afterLexical = performance.now();

  const { vector } = question;
  // Twice the depth asked of the graph, cut after the engine's order of equal hits: a run of identical
  // vectors (one sentence in many articles) that the cut splits is then far more often whole when
  // ordered, so the engines keep the same ones, whichever of them each graph reaches first.
  const dense = async (kind: PassageKind) =>
    vector ? (await ids(index.denseSearch(kind, vector, 2 * depth))).slice(0, depth) : [];
  const [denseSentences, denseChunks] = await Promise.all([dense('sentence'), dense('chunk')]);
  const afterHnsw = performance.now();

  const [lexicalChunkSentences, denseChunkSentences] = await sentencesOfChunks(
    index,
    [lexicalChunks, denseChunks],
    vector,
  );
  const lists = [
    { weight: options.lexicalSentence, ids: lexicalSentences },
    { weight: options.lexicalChunk, ids: lexicalChunkSentences },
    { weight: options.denseSentence, ids: denseSentences },
    { weight: options.denseChunk, ids: denseChunkSentences },
  ];
  const fused = reciprocalRankFusion(lists, options.k);
  // Each candidate's rank in each list: where the lists agree is a feature of the rerank.
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

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

/**
 * Timings of the retrieval stages, in milliseconds. The four searches run at
 * once: `lexical` and `hnsw` are each the wall time from the start until both
 * searches of their kind answered (they overlap, so they do not add up);
 * `fusion` is what came after the last search: the chunks' sentences (both
 * lists at once), and the fusion itself.
 */
export interface RetrievalTimings {
  hnsw: number;
  lexical: number;
  fusion: number;
}

/**
 * Lists of chunk hits, each handed down to its sentences: chunk by chunk,
 * and within a chunk the sentences closest to the question first; a
 * sentence already handed down by an earlier chunk of the same list is not
 * repeated. Two calls for all the lists: the chunks' spans, then the order
 * of every chunk's sentences.
 */
async function sentencesOfChunks(
  index: SearchIndex,
  lists: readonly (readonly number[])[],
  vector: Float32Array | null,
): Promise<number[][]> {
  const ids = [...new Set(lists.flat())];
  if (ids.length === 0) return lists.map(() => []);
  const spans = new Map((await index.chunks(ids)).map((span, i) => [ids[i], span]));
  // Per list, per chunk: the sentences the list has not handed down yet, in article order.
  const groups = lists.map((list) => {
    const seen = new Set<number>();
    return list.map((id) => {
      const { first, last } = spans.get(id) as { first: number; last: number };
      const fresh = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seen.has(s));
      for (const s of fresh) seen.add(s);
      return fresh;
    });
  });
  const ranked = vector ? await index.rankBySimilarity(vector, groups.flat()) : groups.flat();
  // Back into lists: each list's chunks are the next groups of the ranked ones.
  let at = 0;
  return groups.map((list) => {
    const mine = ranked.slice(at, at + list.length).flat();
    at += list.length;
    return mine;
  });
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
  const { vector } = question;
  const t = performance.now();
  // All four searches at once (an engine across a network answers them in parallel).
  const ids = (hits: Promise<{ id: number }[]>) => hits.then((h) => h.map((hit) => hit.id));
  const lexical = (kind: PassageKind) => ids(index.lexicalSearch(kind, question.text, depth));
  // Twice the depth asked of the graph, cut after the engine's order of equal hits: a run of identical
  // vectors (one sentence in many articles) that the cut splits is then far more often whole when
  // ordered, so the engines keep the same ones, whichever of them each graph reaches first.
  const dense = async (kind: PassageKind) =>
    vector ? (await ids(index.denseSearch(kind, vector, 2 * depth))).slice(0, depth) : [];
  const searches = [lexical('sentence'), lexical('chunk'), dense('sentence'), dense('chunk')];
  const ended = searches.map((search) => search.then(() => performance.now()));
  const [lexicalSentences, lexicalChunks, denseSentences, denseChunks, searched] = await Promise.all([
    ...searches,
    Promise.all(ended),
  ]);
  const afterSearches = Math.max(...searched);
  // Both lists of chunks handed down at once: one round of the engine for the two.
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
    timings.lexical += Math.max(searched[0], searched[1]) - t;
    timings.hnsw += Math.max(searched[2], searched[3]) - t;
    timings.fusion += performance.now() - afterSearches;
  }
  return candidates;
}

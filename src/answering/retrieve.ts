import type { PassageKind, SearchIndex } from '../index/search-index.js';
import { reciprocalRankFusion } from './fusion.js';
import type { FusionOptions } from './options.js';
import type { Question } from './question.js';

/** A sentence found for a question: its fused retrieval score and its similarity to the question. */
export interface Candidate {
  id: number;
  /** The sentence's retrieval score (weighted reciprocal rank fusion). */
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
 * Sentence similarities to the question, computed once per sentence as the
 * stages ask for them.
 */
class Similarities {
  private readonly known = new Map<number, number>();

  constructor(
    private readonly index: SearchIndex,
    private readonly vector: Float32Array | null,
  ) {}

  /** Computes the similarities of sentences not seen yet, in one call to the index. */
  load(ids: readonly number[]): void {
    if (!this.vector) return;
    const missing = ids.filter((id) => !this.known.has(id));
    if (missing.length === 0) return;
    const values = this.index.sentenceSimilarities(this.vector, missing);
    for (const [i, id] of missing.entries()) this.known.set(id, values[i]);
  }

  of(id: number): number {
    return this.known.get(id) ?? 0;
  }
}

/**
 * Chunk hits handed down to their sentences: chunk by chunk, and within a
 * chunk the sentences closest to the question first.
 */
function sentencesOfChunks(index: SearchIndex, chunkIds: number[], similarities: Similarities): number[] {
  const seen = new Set<number>();
  const ids: number[] = [];
  for (const c of chunkIds) {
    const { first, last } = index.chunk(c);
    const fresh = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seen.has(s));
    similarities.load(fresh);
    fresh.sort((a, b) => similarities.of(b) - similarities.of(a));
    for (const s of fresh) {
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

  const similarities = new Similarities(index, vector);
  const fused = reciprocalRankFusion(
    [
      { weight: options.lexicalSentence, ids: lexicalSentences },
      { weight: options.lexicalChunk, ids: sentencesOfChunks(index, lexicalChunks, similarities) },
      { weight: options.denseSentence, ids: denseSentences },
      { weight: options.denseChunk, ids: sentencesOfChunks(index, denseChunks, similarities) },
    ],
    options.k,
  );
  similarities.load([...fused.keys()]);
  const candidates = [...fused].map(([id, score]) => ({ id, fused: score, similarity: similarities.of(id) }));
  candidates.sort((a, b) => b.fused - a.fused);
  if (timings) {
    timings.lexical += afterLexical - t;
    timings.hnsw += afterHnsw - afterLexical;
    timings.fusion += performance.now() - afterHnsw;
  }
  return candidates;
}

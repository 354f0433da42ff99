import type { ArticleMeta } from '../corpus/article.js';

/**
 * What retrieval asks of an index, and all it may ask. The answering layer
 * and, through it, the bot know the index only by this interface;
 * `LocalIndex` (hnswlib-node + its own BM25 index over one published build) is its
 * implementation today. ARCHITECTURE.md sketches a distributed one.
 *
 * Sentences are numbered across the whole build (0 … sentenceCount - 1) in
 * article order, so that sentence `id + 1` follows sentence `id` when both
 * are in the same article. Chunks are runs of whole sentences.
 */
export interface SearchIndex {
  /** Names the build: a new build has a new version. */
  readonly version: string;
  /** The embedding model the build's vectors come from. */
  readonly model: string;
  /** How many sentences the build holds (the N of IDF). */
  readonly sentenceCount: number;

  /** BM25 search over one kind of passage: the best `k` hits, best first. */
  lexicalSearch(kind: PassageKind, query: string, k: number): PassageHit[];
  /** Nearest passages of one kind to a unit vector: the best `k` hits by cosine, best first. */
  denseSearch(kind: PassageKind, vector: Float32Array, k: number): PassageHit[];
  /** Cosine similarity of a unit vector to each of the given sentences. */
  sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): number[];
  /**
   * The given sentences, the most similar to a unit vector first; equal
   * similarities keep the order given. Always the order sentenceSimilarities
   * gives, but an index may find it without computing every similarity exactly.
   */
  rankBySimilarity(vector: Float32Array, sentenceIds: readonly number[]): number[];
  /** Which of the terms (as `analyze` gives them) the given sentences hold between them: what analysing their texts would find of them. */
  termsIn(sentenceIds: readonly number[], terms: readonly string[]): Set<string>;
  /** How many sentences hold each term (terms as `analyze` gives them). */
  documentFrequencies(terms: readonly string[]): number[];

  /** A chunk's sentences. */
  chunk(id: number): ChunkSpan;
  /** One sentence, or undefined for an id outside the build. */
  sentence(id: number): IndexedSentence | undefined;
  /** A sentence with up to `radius` sentences either side of it, never crossing into another article. */
  window(id: number, radius: number): IndexedSentence[];
  /** An article with its sentences, by id. */
  article(id: string): IndexedArticle | undefined;
  /** A page of the articles, in id order. */
  articles(page: { offset: number; limit: number }): { total: number; items: ArticleMeta[] };
  /** Lets go of what the index holds open (files); it answers nothing after. */
  close(): void;
}

/** The two kinds of passage the index searches. */
export type PassageKind = 'sentence' | 'chunk';

/** A search hit: a sentence id or a chunk id (by the kind searched), and its score. */
export interface PassageHit {
  id: number;
  score: number;
}

/** A sentence of the build. */
export interface IndexedSentence {
  id: number;
  articleId: string;
  /** Position in its article. */
  position: number;
  /** The article's own text, unchanged. */
  text: string;
}

/** A chunk as a range of sentence ids. */
export interface ChunkSpan {
  first: number;
  /** Inclusive. */
  last: number;
}

/** An article's source and its sentences' texts, in order. */
export interface IndexedArticle extends ArticleMeta {
  sentences: string[];
}

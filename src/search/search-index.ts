import type { ArticleMeta } from '../corpus/article.js';

/**
 * What answering asks of an index, and all it may ask: one published build,
 * read-only. The answering layer and, through it, the bot know an index only
 * by this interface; each engine (`local/`: hnswlib-node + our BM25 over
 * files; `postgres/`: pgvector + BM25 in the database) implements it, and
 * `test/search/contract.ts` checks every engine against it.
 *
 * Every member returns a Promise (an engine may be across a network), and
 * every member that reads passages takes many ids at once, so that one
 * question costs a handful of calls (round trips), not one per candidate.
 * Answers come back in the order of the ids given, one per id.
 *
 * Sentences are numbered across the whole build (the local engine: 0 …
 * sentenceCount - 1; the postgres engine keeps ids across builds, so after
 * removals they have gaps and run past sentenceCount) in
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

  /**
   * BM25 search over one kind of passage: the best `k` hits, best first,
   * scored by `bm25.ts` over the build's collection statistics; equal scores
   * in the order that module gives them.
   */
  lexicalSearch(kind: PassageKind, query: string, k: number): Promise<PassageHit[]>;
  /** Nearest passages of one kind to a unit vector: the best `k` hits by cosine, best first. */
  denseSearch(kind: PassageKind, vector: Float32Array, k: number): Promise<PassageHit[]>;
  /** Each chunk's span of sentences, one per id given. */
  chunks(ids: readonly number[]): Promise<ChunkSpan[]>;
  /** Cosine similarity of a unit vector to each of the given sentences. */
  sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): Promise<number[]>;
  /**
   * Each group of sentences ordered by similarity to a unit vector, most
   * similar first; equal similarities keep the order given. Always the
   * order sentenceSimilarities gives, but an index may find it without
   * computing every similarity exactly.
   */
  rankBySimilarity(vector: Float32Array, groups: readonly (readonly number[])[]): Promise<number[][]>;
  /**
   * Per group of sentences, which of the terms (as `analyze` gives them) the
   * group holds between them: what analysing their texts would find of them.
   */
  termsIn(groups: readonly (readonly number[])[], terms: readonly string[]): Promise<Set<string>[]>;
  /** How many sentences hold each term (terms as `analyze` gives them). */
  documentFrequencies(terms: readonly string[]): Promise<number[]>;

  /** The sentences, one per id given: undefined for an id outside the build. */
  sentences(ids: readonly number[]): Promise<(IndexedSentence | undefined)[]>;
  /**
   * Per id, the sentence with up to `radius` sentences either side of it, in
   * order, never crossing into another article (empty for an id outside the build).
   */
  windows(ids: readonly number[], radius: number): Promise<IndexedSentence[][]>;
  /** Articles' sources (title, outlet, date, url) without their sentences, one per id given. */
  articleMetas(ids: readonly string[]): Promise<(ArticleMeta | undefined)[]>;
  /** An article with its sentences, by id. */
  article(id: string): Promise<IndexedArticle | undefined>;
  /** A page of the articles, in id order. */
  articles(page: { offset: number; limit: number }): Promise<{ total: number; items: ArticleMeta[] }>;
  /** Lets go of what the index holds open (files, connections); it answers nothing after. */
  close(): Promise<void>;
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

import type { SentenceSpan } from '../arabic/sentences.js';

/** Where an article comes from, as shown under every quote. */
export interface ArticleMeta {
  /** File name without extension. */
  id: string;
  title: string;
  /** News outlet or agency; empty when the article does not say. */
  outlet: string;
  /** ISO date (YYYY-MM-DD); empty when the article does not say. */
  date: string;
  url?: string;
}

export interface Article extends ArticleMeta {
  /** The article text the sentence offsets refer to (front matter removed). */
  text: string;
  /** The article's sentences in order, page debris left out. */
  sentences: SentenceSpan[];
  /** SHA-256 of the file's bytes: unchanged files keep their vectors. */
  hash: string;
  file: string;
}

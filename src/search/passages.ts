import type { SentenceSpan } from '../arabic/sentences.js';
import type { ChunkRange } from '../corpus/chunks.js';

/**
 * The text a chunk is embedded and searched as: the article's title (so a
 * passage keeps the topic its sentences take for granted) and its sentences.
 */
export function chunkText(article: { title: string; sentences: SentenceSpan[] }, chunk: ChunkRange): string {
  const body = article.sentences
    .slice(chunk.first, chunk.last + 1)
    .map((s) => s.text)
    .join(' ');
  return `${article.title}\n${body}`;
}

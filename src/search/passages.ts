import { createHash } from 'node:crypto';
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

/**
 * What identifies a passage's text in the database's vector tables (the
 * postgres engine): the first 16 bytes of the SHA-256 of the text embedded,
 * as PostgreSQL's own `sha256` gives them (migration 6 fills older rows
 * with it). Passages with one text have one vector: the dense graphs hold
 * it once, and a hit on it stands for every passage with that text.
 */
export function passageKey(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest().subarray(0, 16);
}

/**
 * The same for the local engine's files: 53 bits of the SHA-256 of the text
 * embedded, as a number exact in a double (a Map key, a Float64Array
 * element). Two different texts share one by chance with a probability of
 * about n² / 2⁵⁴ for n distinct texts: 5 in 100,000 archives of a million
 * passages; they would then be found as one.
 */
export function passageFingerprint(text: string): number {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return (digest.readUInt32BE(0) & 0x1f_ffff) * 2 ** 32 + digest.readUInt32BE(4);
}

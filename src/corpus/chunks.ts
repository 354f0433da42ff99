/** A run of whole sentences, by index into its article's sentences. */
export interface ChunkRange {
  first: number;
  /** Inclusive. */
  last: number;
}

export interface ChunkOptions {
  /** Target size in characters; a chunk closes before it would exceed it. */
  maxChars: number;
  /** Sentences shared by consecutive chunks. */
  overlap: number;
}

/**
 * Groups consecutive sentences into chunks of about `maxChars` characters,
 * never cutting a sentence. A sentence longer than `maxChars` is a chunk of
 * its own. Consecutive chunks share `overlap` sentences, so an answer that
 * runs across a chunk border is still whole in one of them.
 *
 * @example chunkSentences(["a".repeat(10), "b".repeat(10), "c".repeat(10)], { maxChars: 21, overlap: 1 })
 *   // → [{ first: 0, last: 1 }, { first: 1, last: 2 }]
 */
export function chunkSentences(lengths: number[], { maxChars, overlap }: ChunkOptions): ChunkRange[] {
  const chunks: ChunkRange[] = [];
  let first = 0;
  while (first < lengths.length) {
    let last = first;
    let size = lengths[first];
    while (last + 1 < lengths.length && size + 1 + lengths[last + 1] <= maxChars) {
      last++;
      size += 1 + lengths[last];
    }
    chunks.push({ first, last });
    if (last + 1 >= lengths.length) break;
    // Step forward, keeping `overlap` sentences, but always make progress.
    first = Math.max(first + 1, last + 1 - overlap);
  }
  return chunks;
}

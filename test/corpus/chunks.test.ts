import { describe, expect, it } from 'vitest';
import { chunkSentences } from '../../src/corpus/chunks.js';

describe('chunkSentences', () => {
  it('groups whole sentences up to the size, sharing the overlap', () => {
    expect(chunkSentences([10, 10, 10, 10], { maxChars: 21, overlap: 1 })).toEqual([
      { first: 0, last: 1 },
      { first: 1, last: 2 },
      { first: 2, last: 3 },
    ]);
  });

  it('without overlap, every sentence is in exactly one chunk', () => {
    const chunks = chunkSentences([5, 5, 5, 5, 5], { maxChars: 11, overlap: 0 });
    expect(chunks).toEqual([
      { first: 0, last: 1 },
      { first: 2, last: 3 },
      { first: 4, last: 4 },
    ]);
  });

  it('gives a sentence longer than the size a chunk of its own', () => {
    expect(chunkSentences([5, 100, 5], { maxChars: 20, overlap: 1 })).toEqual([
      { first: 0, last: 0 },
      { first: 1, last: 1 },
      { first: 2, last: 2 },
    ]);
  });

  it('always moves forward, even when the overlap is as large as a chunk', () => {
    const chunks = chunkSentences([10, 10, 10], { maxChars: 21, overlap: 5 });
    expect(chunks.map((c) => c.first)).toEqual([0, 1]);
    expect(chunks.at(-1)?.last).toBe(2);
  });

  it('covers every sentence', () => {
    const lengths = Array.from({ length: 40 }, (_, i) => 20 + ((i * 37) % 90));
    const covered = new Set(
      chunkSentences(lengths, { maxChars: 200, overlap: 1 }).flatMap((c) =>
        Array.from({ length: c.last - c.first + 1 }, (_, i) => c.first + i),
      ),
    );
    expect(covered.size).toBe(40);
  });
});

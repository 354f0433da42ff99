import { describe, expect, it } from 'vitest';
import { decodePostings, entryBytes, PostingsCache } from '../../../src/search/postgres/postings-cache.js';

/** A term's postings as the database sends them: int8 passage, int4 tf, int4 length per posting. */
function encoded(postings: [number, number, number][]): Buffer {
  const bytes = Buffer.alloc(16 * postings.length);
  for (const [i, [id, tf, length]] of postings.entries()) {
    bytes.writeBigInt64BE(BigInt(id), 16 * i);
    bytes.writeInt32BE(tf, 16 * i + 8);
    bytes.writeInt32BE(length, 16 * i + 12);
  }
  return bytes;
}

const list = (n: number) => decodePostings(encoded(Array.from({ length: n }, (_, i) => [i * 3, 1 + (i % 4), 7])));

describe('PostingsCache (the postgres engine’s BM25 postings kept in the process)', () => {
  it('decodes the database’s bytes: ids past 2^32 exact, tf and length', () => {
    const decoded = decodePostings(
      encoded([
        [5, 2, 9],
        [2 ** 33 + 1, 1, 12],
        [2 ** 52 + 3, 40, 1000],
      ]),
    );
    expect([...decoded.ids]).toEqual([5, 2 ** 33 + 1, 2 ** 52 + 3]);
    expect([...decoded.tfs]).toEqual([2, 1, 40]);
    expect([...decoded.lengths]).toEqual([9, 12, 1000]);
  });

  it('never holds more bytes than its bound, least recently used out first, and keeps nothing larger than it', () => {
    const cache = new PostingsCache(64 * 1024);
    let most = 0;
    for (let i = 0; i < 200; i++) {
      cache.set(1, 'sentence', `term${i}`, list(50 + (i % 7) * 100));
      // The one just used stays.
      expect(cache.get(1, 'sentence', 'term0'), `after ${i}`).toBeDefined();
      expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
      most = Math.max(most, cache.bytes);
    }
    expect(most).toBeGreaterThan(48 * 1024);
    expect(cache.has(1, 'sentence', 'term1')).toBe(false);
    expect(cache.has(1, 'sentence', 'term199')).toBe(true);
    // An entry's cost counts its arrays (16 bytes a posting) and its key.
    const entry = list(100);
    expect(entryBytes('1\u0000sentence\u0000x', entry)).toBeGreaterThanOrEqual(1600 + 2 * 12);
    // Larger than the whole bound: answered from the database each time, never kept.
    cache.set(1, 'chunk', 'huge', list(8000));
    expect(cache.has(1, 'chunk', 'huge')).toBe(false);
    expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('keys entries by build and kind, and drops the other builds’ when asked', () => {
    const cache = new PostingsCache(1024 * 1024);
    cache.set(1, 'sentence', 'الصين', list(10));
    cache.set(1, 'chunk', 'الصين', list(20));
    cache.set(2, 'sentence', 'الصين', list(30));
    expect(cache.get(1, 'sentence', 'الصين')?.ids.length).toBe(10);
    expect(cache.get(1, 'chunk', 'الصين')?.ids.length).toBe(20);
    expect(cache.get(2, 'sentence', 'الصين')?.ids.length).toBe(30);
    expect(cache.get(2, 'chunk', 'الصين')).toBeUndefined();
    expect(cache.builds()).toEqual(new Set([1, 2]));
    cache.dropOtherBuilds(2);
    expect(cache.builds()).toEqual(new Set([2]));
    expect(cache.size).toBe(1);
  });

  it('keeps nothing with a bound of 0 (POSTINGS_CACHE_MB=0)', () => {
    const cache = new PostingsCache(0);
    cache.set(1, 'sentence', 'x', list(3));
    expect(cache.enabled).toBe(false);
    expect(cache.has(1, 'sentence', 'x')).toBe(false);
    expect(cache.bytes).toBe(0);
  });
});

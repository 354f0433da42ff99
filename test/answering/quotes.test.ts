import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS } from '../../src/answering/options.js';
import { selectQuotes, sourceLine } from '../../src/answering/quotes.js';
import type { RankedSentence } from '../../src/answering/rerank.js';
import type { LocalIndex } from '../../src/search/local/local-index.js';
import { seedIndex, tinyEmbedder } from '../helpers/fixtures.js';

let index: LocalIndex;

beforeAll(async () => {
  ({ index } = await seedIndex(await tinyEmbedder()));
});

/** A ranked sentence as the rerank makes them. */
const ranked = (id: number, fused: number, score = fused): RankedSentence => ({ id, fused, score, similarity: 0 });
const options = DEFAULT_ANSWER_OPTIONS.quoting;

/** The id of the first sentence that contains `text`. */
function idOf(text: string): number {
  for (let id = 0; id < index.sentenceCount; id++) if (index.sentence(id)?.text.includes(text)) return id;
  throw new Error(`no sentence holds ${text}`);
}

describe('selectQuotes', () => {
  it('quotes sentences verbatim, best first, with their article’s source', () => {
    const id = idOf('100 مليار دولار');
    const [quote] = selectQuotes(index, [ranked(id, 1)], 3, options);
    expect(quote.text).toBe(index.sentence(id)?.text);
    expect(quote).toMatchObject({ articleId: '001_affb6d0cda8cf843', sentenceIds: [id], alsoIn: [] });
    expect(quote.title.length).toBeGreaterThan(0);
  });

  it('joins a neighbour sentence whose own score is at least neighbourShare of the quote’s, in article order', () => {
    const id = idOf('100 مليار دولار');
    const [joined] = selectQuotes(index, [ranked(id, 1), ranked(id - 1, 0.8)], 3, options);
    expect(joined.sentenceIds).toEqual([id - 1, id]);
    expect(joined.sentences).toEqual([index.sentence(id - 1)?.text, index.sentence(id)?.text]);
    const [alone] = selectQuotes(index, [ranked(id, 1), ranked(id - 1, 0.5)], 3, options);
    expect(alone.sentenceIds).toEqual([id]);
  });

  it('never quotes a sentence twice, and stops at count', () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((id) => ranked(id, 1 - id / 100));
    const quotes = selectQuotes(index, ids, 3, options);
    expect(quotes).toHaveLength(3);
    const used = quotes.flatMap((q) => q.sentenceIds);
    expect(new Set(used).size).toBe(used.length);
  });

  it('quotes the same statement from two outlets once, listing the other in alsoIn', () => {
    // Xinhua (000) and the Kremlin report (002) carry the same call to explore new ways of cooperation.
    const [a, b] = [0, 2].map((n) => {
      const article = index.articles({ offset: n, limit: 1 }).items[0].id;
      for (let id = 0; id < index.sentenceCount; id++) {
        const s = index.sentence(id);
        if (s?.articleId === article && s.text.includes('طرق جديدة للتعاون')) return id;
      }
      throw new Error('statement not found');
    });
    const quotes = selectQuotes(index, [ranked(a, 1), ranked(b, 0.9)], 3, options);
    expect(quotes).toHaveLength(1);
    expect(quotes[0].alsoIn.map((s) => s.articleId)).toEqual([index.sentence(b)?.articleId]);
  });
});

describe('sourceLine', () => {
  it('reads "title — outlet · date", leaving out what the article does not say', () => {
    expect(sourceLine({ title: 'عنوان', outlet: 'شينخوا', date: '2021-08-25' })).toBe('عنوان — شينخوا · 2021-08-25');
    expect(sourceLine({ title: 'عنوان', outlet: '', date: '2021-08-25' })).toBe('عنوان — 2021-08-25');
    expect(sourceLine({ title: 'عنوان', outlet: '', date: '' })).toBe('عنوان');
  });
});

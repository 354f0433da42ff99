import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS } from '../../src/answering/options.js';
import type { QuoteUnitModel } from '../../src/answering/quote-unit.js';
import { selectQuotes, sourceLine } from '../../src/answering/quotes.js';
import type { RankedSentence } from '../../src/answering/rerank.js';
import type { LocalIndex } from '../../src/search/local/local-index.js';
import type { IndexedSentence } from '../../src/search/search-index.js';
import { seedIndex, tinyEmbedder } from '../helpers/fixtures.js';

let index: LocalIndex;
/** Every sentence of the build, by id. */
let all: IndexedSentence[];

beforeAll(async () => {
  ({ index } = await seedIndex(await tinyEmbedder()));
  all = (await index.sentences(Array.from({ length: index.sentenceCount }, (_, id) => id))).flatMap((s) =>
    s ? [s] : [],
  );
});

/** A ranked sentence as the rerank makes them. */
const ranked = (id: number, fused: number, score = fused): RankedSentence => ({ id, fused, score, similarity: 0 });
const options = DEFAULT_ANSWER_OPTIONS.quoting;
/** A unit model that always takes the sentence after, when it fits (and never the one before). */
const after: QuoteUnitModel = {
  trainedOn: 'test',
  before: { bias: -100 },
  after: { bias: 100 },
  threshold: 0,
  neighbours: 1,
  maxChars: 10_000,
  withRules: false,
};

/** The id of the first sentence that contains `text`. */
function idOf(text: string): number {
  const found = all.find((s) => s.text.includes(text));
  if (found) return found.id;
  throw new Error(`no sentence holds ${text}`);
}

describe('selectQuotes', () => {
  it('quotes sentences verbatim, best first, with their article’s source', async () => {
    const id = idOf('100 مليار دولار');
    // The rules alone (no unit model) leave a sentence with no neighbour scored alone; the unit is tested below.
    const [quote] = await selectQuotes(index, [ranked(id, 1)], 3, { ...options, unit: null });
    expect(quote.text).toBe(all[id].text);
    expect(quote).toMatchObject({ articleId: '001_affb6d0cda8cf843', sentenceIds: [id], alsoIn: [] });
    expect(quote.title.length).toBeGreaterThan(0);
  });

  it('without a unit model, joins a neighbour whose own score is at least neighbourShare of the quote’s, in article order', async () => {
    const id = idOf('100 مليار دولار');
    const rules = { ...options, unit: null };
    const [joined] = await selectQuotes(index, [ranked(id, 1), ranked(id - 1, 0.8)], 3, rules);
    expect(joined.sentenceIds).toEqual([id - 1, id]);
    expect(joined.sentences).toEqual([all[id - 1].text, all[id].text]);
    const [alone] = await selectQuotes(index, [ranked(id, 1), ranked(id - 1, 0.5)], 3, rules);
    expect(alone.sentenceIds).toEqual([id]);
  });

  it('joins the neighbour the unit model chooses: the article’s own consecutive sentences, within its length cap', async () => {
    const id = idOf('100 مليار دولار');
    if (all[id + 1]?.articleId !== all[id].articleId) throw new Error('the seed corpus changed');
    const [joined] = await selectQuotes(index, [ranked(id, 1)], 3, { ...options, unit: after });
    expect(joined.sentenceIds).toEqual([id, id + 1]);
    expect(joined.sentences).toEqual([all[id].text, all[id + 1].text]);
    expect(joined.text).toBe(`${all[id].text} ${all[id + 1].text}`);
    // Verbatim: the two sentences follow each other in the article as stored.
    const article = await index.article(all[id].articleId);
    const at = article?.sentences.indexOf(all[id].text) ?? -1;
    expect(article?.sentences.slice(at, at + 2)).toEqual(joined.sentences);
    // One character short of the joined length: the neighbour stays out.
    const cap = joined.text.length - 1;
    const [alone] = await selectQuotes(index, [ranked(id, 1)], 3, { ...options, unit: { ...after, maxChars: cap } });
    expect(alone.sentenceIds).toEqual([id]);
  });

  it('with neighbourMass, quotes first the sentence whose quote holds the most of the rerank’s weight', async () => {
    const id = idOf('100 مليار دولار');
    if (all[id + 1]?.articleId !== all[id].articleId) throw new Error('the seed corpus changed');
    const other = all.find((s) => s.articleId !== all[id].articleId);
    if (!other) throw new Error('the seed corpus changed');
    // The best sentence alone (another article) weighs exp(0) = 1; the sentence at id, 0.5 below it, with its
    // neighbour after, 0.3 below: exp(−0.5) + mass × exp(−0.3), 1.35 with a mass of 1, 0.90 with 0.4.
    const list = [ranked(other.id, 1, 0), ranked(id, 0.9, -0.5), ranked(id + 1, 0.8, -0.3)];
    const quote = (neighbourMass?: number) =>
      selectQuotes(index, list, 3, { ...options, unit: { ...after, neighbourMass } });
    const [first, second] = await quote(1);
    expect(first.sentenceIds).toEqual([id, id + 1]);
    // The quote stands for its best sentence: the neighbour's score is its score.
    expect(first.score).toBe(-0.3);
    // Further quotes keep the rerank's order.
    expect(second.sentenceIds[0]).toBe(other.id);
    expect((await quote(0.4))[0].sentenceIds[0]).toBe(other.id);
    expect((await quote(undefined))[0].sentenceIds[0]).toBe(other.id);
  });

  it('never quotes a sentence twice, and stops at count', async () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((id) => ranked(id, 1 - id / 100));
    const quotes = await selectQuotes(index, ids, 3, options);
    expect(quotes).toHaveLength(3);
    const used = quotes.flatMap((q) => q.sentenceIds);
    expect(new Set(used).size).toBe(used.length);
  });

  it('tells accept where each further sentence stands: its article and the first quote’s', async () => {
    const first = idOf('100 مليار دولار');
    const sameArticle = all.find((s) => s.articleId === all[first].articleId && Math.abs(s.id - first) > 2);
    const otherArticle = all.find((s) => s.articleId !== all[first].articleId);
    if (!sameArticle || !otherArticle) throw new Error('the seed corpus changed');
    const seen: [number, string, string | undefined][] = [];
    const quotes = await selectQuotes(
      index,
      [ranked(first, 1), ranked(otherArticle.id, 0.9), ranked(sameArticle.id, 0.8)],
      3,
      options,
      {
        accept: (candidate, { articleId, firstArticleId }) => {
          seen.push([candidate.id, articleId, firstArticleId]);
          return articleId === firstArticleId || firstArticleId === undefined;
        },
      },
    );
    expect(seen).toEqual([
      [first, all[first].articleId, undefined],
      [otherArticle.id, otherArticle.articleId, all[first].articleId],
      [sameArticle.id, all[first].articleId, all[first].articleId],
    ]);
    // The other article's sentence was refused, the same article's taken.
    expect(quotes.map((q) => q.articleId)).toEqual([all[first].articleId, all[first].articleId]);
  });

  it('quotes the same statement from two outlets once, listing the other in alsoIn', async () => {
    // Xinhua (000) and the Kremlin report (002) carry the same call to explore new ways of cooperation.
    const { items } = await index.articles({ offset: 0, limit: 3 });
    const [a, b] = [items[0].id, items[2].id].map((article) => {
      const found = all.find((s) => s.articleId === article && s.text.includes('طرق جديدة للتعاون'));
      if (!found) throw new Error('statement not found');
      return found.id;
    });
    const quotes = await selectQuotes(index, [ranked(a, 1), ranked(b, 0.9)], 3, options);
    expect(quotes).toHaveLength(1);
    expect(quotes[0].alsoIn.map((s) => s.articleId)).toEqual([all[b].articleId]);
  });
});

describe('sourceLine', () => {
  it('reads "title — outlet · date", leaving out what the article does not say', () => {
    expect(sourceLine({ title: 'عنوان', outlet: 'شينخوا', date: '2021-08-25' })).toBe('عنوان — شينخوا · 2021-08-25');
    expect(sourceLine({ title: 'عنوان', outlet: '', date: '2021-08-25' })).toBe('عنوان — 2021-08-25');
    expect(sourceLine({ title: 'عنوان', outlet: '', date: '' })).toBe('عنوان');
  });
});

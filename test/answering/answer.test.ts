import { describe, expect, it, beforeAll } from 'vitest';
import { Answerer } from '../../src/answering/answer.js';
import { rankSentences, DEFAULT_WEIGHTS } from '../../src/answering/retrieve.js';
import type { SearchIndex } from '../../src/index/open.js';
import type { Embedder } from '../../src/embedding/embedder.js';
import { seedIndex, tinyEmbedder } from '../helpers/fixtures.js';

let index: SearchIndex;
let embedder: Embedder;
let answerer: Answerer;

beforeAll(async () => {
  embedder = await tinyEmbedder();
  ({ index } = await seedIndex(embedder));
  answerer = new Answerer(index, embedder);
});

/** The sentence as it stands in its article's text. */
function original(articleId: string, text: string): boolean {
  const article = index.articles.find((a) => a.id === articleId)!;
  return text.split(/(?<=[.؟!])\s+(?=\S)/).every((part) => article.sentences.some((s) => s.text === part || text.includes(s.text)));
}

describe('Answerer.ask', () => {
  it('quotes the sentence that answers, verbatim, with its source', async () => {
    const answer = await answerer.ask('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟');
    expect(answer.found).toBe(true);
    const hit = answer.answers.find((q) => q.text.includes('100 مليار دولار'));
    expect(hit).toMatchObject({ articleId: '001_affb6d0cda8cf843', outlet: '' });
    expect(hit!.title.startsWith('أكد الرئيس الصيني')).toBe(true);
    expect(original(hit!.articleId, hit!.text)).toBe(true);
  });

  it('returns three quotes by default, and k on request', async () => {
    expect((await answerer.ask('ماذا قال بوتين عن أفغانستان؟')).answers).toHaveLength(3);
    expect((await answerer.ask('ماذا قال بوتين عن أفغانستان؟', { count: 5 })).answers).toHaveLength(5);
  });

  it('never rewrites a quote: diacritics, quotes and punctuation stay as in the article', async () => {
    const answer = await answerer.ask('ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    const all = index.articles.flatMap((a) => a.sentences.map((s) => s.text));
    for (const quote of answer.answers) {
      for (const id of quote.sentenceIds) expect(all).toContain(index.sentences[id].text);
      expect(quote.text).toBe(quote.sentenceIds.map((id) => index.sentences[id].text).join(' '));
    }
    expect(answer.answers.some((q) => q.text.includes('“'))).toBe(true);
  });

  it('pages through further quotes without repeating one', async () => {
    const q = 'ما موقف الصين وروسيا من أفغانستان؟';
    const first = await answerer.ask(q, { count: 3 });
    const next = await answerer.ask(q, { count: 3, offset: 3 });
    const seen = new Set(first.answers.flatMap((a) => a.sentenceIds));
    expect(next.answers.length).toBeGreaterThan(0);
    for (const a of next.answers) for (const id of a.sentenceIds) expect(seen.has(id)).toBe(false);
  });

  it('says not found for questions the articles do not answer', async () => {
    for (const q of ['ما هي عاصمة البرازيل؟', 'كيف أطبخ الكبسة باللحم؟', 'How do I bake sourdough bread?']) {
      const answer = await answerer.ask(q);
      expect(answer, q).toMatchObject({ found: false, answers: [] });
    }
  });

  it('quotes a statement reported by several outlets once, listing the other sources', async () => {
    // Xinhua (000) and the Kremlin report (002) carry the same call on Afghanistan and terrorism.
    const answer = await answerer.ask('يتعين على البلدين استكشاف طرق جديدة للتعاون وتوسيع مجالات التعاون', { count: 5 });
    const texts = answer.answers.map((a) => a.text);
    expect(new Set(texts).size).toBe(texts.length);
    const merged = answer.answers.find((a) => a.alsoIn.length > 0);
    expect(merged).toBeDefined();
    expect([merged!.articleId, ...merged!.alsoIn.map((s) => s.articleId)]).toEqual(
      expect.arrayContaining(['000_a15eb1be77281f63', '002_26a9db706ec05ddb']),
    );
  });
});

describe('rankSentences', () => {
  it('finds rare names by words alone, without a question vector', () => {
    const ranked = rankSentences(index, 'ميشوستين', null);
    expect(index.sentences[ranked[0].id].text).toContain('ميشوستين');
  });

  it('finds a passage by meaning alone when the question shares no word with it', async () => {
    // English words that the tiny model maps onto the Arabic ones: BM25 sees nothing in common.
    const question = 'Putin wished happiness health';
    expect(index.sentenceLexical.search(question, 5)).toEqual([]);
    const ranked = rankSentences(index, question, await embedder.embedQuery(question), DEFAULT_WEIGHTS);
    // Of 76 sentences, the one that answers is among the first five (the tiny model is crude).
    const top = ranked.slice(0, 5).map((r) => index.sentences[r.id].text);
    expect(top.some((t) => t.includes('السعادة والصحة الجيدة'))).toBe(true);
  });
});

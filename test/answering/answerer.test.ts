import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS, type RerankOptions } from '../../src/answering/options.js';
import { analyseQuestion } from '../../src/answering/question.js';
import { TermWeights } from '../../src/answering/relevance.js';
import { modelFor, rerank } from '../../src/answering/rerank.js';
import { retrieve } from '../../src/answering/retrieve.js';
import type { AnswerService } from '../../src/answering/service.js';
import { contentTerms } from '../../src/arabic/tokens.js';
import type { Embedder } from '../../src/embedding/embedder.js';
import { buildIndex } from '../../src/search/local/build.js';
import { type LocalIndex, openIndex } from '../../src/search/local/local-index.js';
import { CHUNKING, openService, seedIndex, sentenceAt, tempDir, tinyEmbedder } from '../helpers/fixtures.js';

let index: LocalIndex;
let embedder: Embedder;
let service: AnswerService;

beforeAll(async () => {
  embedder = await tinyEmbedder();
  let indexDir: string;
  ({ index, indexDir } = await seedIndex(embedder));
  service = await openService(indexDir, embedder);
});

/** Every sentence of every article, as the index holds them. */
async function allSentences(): Promise<string[]> {
  const { items } = await index.articles({ offset: 0, limit: 100 });
  const articles = await Promise.all(items.map((a) => index.article(a.id)));
  return articles.flatMap((a) => a?.sentences ?? []);
}

describe('AnswerService.ask', () => {
  it('quotes the sentence that answers, verbatim, with its source', async () => {
    const answer = await service.ask('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟');
    expect(answer.found).toBe(true);
    const hit = answer.quotes.find((q) => q.text.includes('100 مليار دولار'));
    expect(hit).toMatchObject({ articleId: '001_affb6d0cda8cf843', outlet: '' });
    expect(hit?.title.startsWith('أكد الرئيس الصيني')).toBe(true);
    const all = await allSentences();
    for (const sentence of hit?.sentences ?? []) expect(all).toContain(sentence);
  });

  it('returns three quotes by default, and k on request', async () => {
    expect((await service.ask('ماذا قال بوتين عن أفغانستان؟')).quotes).toHaveLength(3);
    expect((await service.ask('ماذا قال بوتين عن أفغانستان؟', { count: 5 })).quotes).toHaveLength(5);
  });

  it('never rewrites a quote: diacritics, quotes and punctuation stay as in the article', async () => {
    const answer = await service.ask('ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    const all = await allSentences();
    for (const quote of answer.quotes) {
      const quoted = await index.sentences(quote.sentenceIds);
      for (const sentence of quoted) expect(all).toContain(sentence?.text);
      expect(quote.text).toBe(quoted.map((s) => s?.text).join(' '));
    }
    expect(answer.quotes.some((q) => q.text.includes('“'))).toBe(true);
  });

  it('pages through further quotes without repeating one', async () => {
    const q = 'ما موقف الصين وروسيا من أفغانستان؟';
    const first = await service.ask(q, { count: 3 });
    const next = await service.ask(q, { count: 3, offset: 3 });
    const seen = new Set(first.quotes.flatMap((a) => a.sentenceIds));
    expect(next.quotes.length).toBeGreaterThan(0);
    for (const a of next.quotes) for (const id of a.sentenceIds) expect(seen.has(id)).toBe(false);
  });

  it('says not found for questions the articles do not answer', async () => {
    for (const q of ['ما هي عاصمة البرازيل؟', 'كيف أطبخ الكبسة باللحم؟', 'How do I bake sourdough bread?']) {
      const answer = await service.ask(q);
      expect(answer, q).toMatchObject({ found: false, quotes: [] });
    }
  });

  it('quotes a statement reported by several outlets once, listing the other sources', async () => {
    // Xinhua (000) and the Kremlin report (002) carry the same call on Afghanistan and terrorism.
    const answer = await service.ask('يتعين على البلدين استكشاف طرق جديدة للتعاون وتوسيع مجالات التعاون', { count: 5 });
    const texts = answer.quotes.map((a) => a.text);
    expect(new Set(texts).size).toBe(texts.length);
    const merged = answer.quotes.find((a) => a.alsoIn.length > 0);
    expect(merged).toBeDefined();
    expect([merged?.articleId, ...(merged?.alsoIn.map((s) => s.articleId) ?? [])]).toEqual(
      expect.arrayContaining(['000_a15eb1be77281f63', '002_26a9db706ec05ddb']),
    );
  });
});

describe('retrieve and rerank', () => {
  it('finds rare names by words alone, without a question vector', async () => {
    const candidates = await retrieve(index, analyseQuestion('ميشوستين', null), DEFAULT_ANSWER_OPTIONS.fusion);
    expect((await sentenceAt(index, candidates[0].id))?.text).toContain('ميشوستين');
  });

  it('finds a passage by meaning alone when the question shares no word with it', async () => {
    // English words that the tiny model maps onto the Arabic ones: BM25 sees nothing in common.
    const text = 'Putin wished happiness health';
    expect(await index.lexicalSearch('sentence', text, 5)).toEqual([]);
    const question = analyseQuestion(text, await embedder.embedQuery(text));
    const candidates = await retrieve(index, question, DEFAULT_ANSWER_OPTIONS.fusion);
    const ranked = await rerank(
      index,
      question,
      await TermWeights.of(index, question.terms),
      candidates,
      DEFAULT_ANSWER_OPTIONS.rerank,
    );
    // Of 76 sentences, the one that answers is among the first five (the tiny model is crude).
    const top = (await index.sentences(ranked.slice(0, 5).map((c) => c.id))).map((s) => s?.text ?? '');
    expect(top.some((t) => t.includes('السعادة والصحة الجيدة'))).toBe(true);
  });
});

describe('rerank', () => {
  it("counts the question's words in the article's title: the topic its sentences take for granted", async () => {
    // Two articles that say the same thing; only their titles tell which country they are about.
    const dir = tempDir('titles');
    const body = 'افتتح الرئيس المعرض صباح اليوم.\nووقع الجانبان اتفاقيات في مجال الطاقة.\nوعاد الوفد مساء.\n';
    mkdirSync(join(dir, 'corpus'));
    writeFileSync(join(dir, 'corpus', 'a.md'), `---\ntitle: "زيارة الرئيس إلى الهند"\n---\n${body}`);
    writeFileSync(join(dir, 'corpus', 'b.md'), `---\ntitle: "زيارة الرئيس إلى البرازيل"\n---\n${body}`);
    await buildIndex({ corpusDir: join(dir, 'corpus'), indexDir: join(dir, 'index'), embedder, chunking: CHUNKING });
    const titled = await openIndex(join(dir, 'index'));
    const sentences = await titled.sentences(Array.from({ length: titled.sentenceCount }, (_, id) => id));
    const agreements = sentences.filter((s) => s?.text.startsWith('ووقع'));
    const [inIndia, inBrazil] = ['a', 'b'].map((a) => agreements.find((s) => s?.articleId === a)?.id);
    if (inIndia === undefined || inBrazil === undefined) throw new Error('both articles are indexed');
    const question = analyseQuestion('ما الاتفاقيات التي وقعت في الهند؟', null);
    // Fusion put the Brazil sentence first; the title puts the India one ahead.
    const candidates = [
      { id: inBrazil, fused: 1, similarity: 0 },
      { id: inIndia, fused: 0.95, similarity: 0 },
    ];
    const weights = await TermWeights.of(titled, question.terms);
    const order = async (options: RerankOptions) => {
      const ranked = await rerank(titled, question, weights, candidates, options);
      return (await titled.sentences(ranked.map((r) => r.id))).map((s) => s?.articleId);
    };
    const hand = { ...DEFAULT_ANSWER_OPTIONS.rerank, model: null };
    expect(await order(hand)).toEqual(['a', 'b']);
    expect(await order({ ...hand, titleCoverage: 0 })).toEqual(['b', 'a']);
    // The learned model (reranker.json) weighs the title too; without its title weight the order flips back.
    // (Without an embedder's token vectors, the model is the one trained without the word alignment.)
    const model = modelFor(DEFAULT_ANSWER_OPTIONS.rerank);
    if (!model) throw new Error('a rerank model ships');
    expect(model).toBe(DEFAULT_ANSWER_OPTIONS.rerank.model?.withoutAlignment);
    expect(await order(DEFAULT_ANSWER_OPTIONS.rerank)).toEqual(['a', 'b']);
    const noTitle = { ...model, weights: { ...model.weights, titleCoverage: 0 } };
    expect(await order({ ...DEFAULT_ANSWER_OPTIONS.rerank, model: noTitle })).toEqual(['b', 'a']);
  });
});

describe('TermWeights', () => {
  it('weighs a word with two readings as the rarer of the readings the articles use', async () => {
    const [china] = contentTerms('الصين');
    const [mishustin] = contentTerms('ميشوستين');
    const weights = (groups: string[][]) => TermWeights.of(index, groups);
    // A reading no article uses ("ل" + a word that is not there) changes nothing.
    const plain = (await weights([[china], [mishustin]])).coverage(new Set([china]));
    expect((await weights([[china, 'غغغغ'], [mishustin]])).coverage(new Set([china]))).toBeCloseTo(plain, 6);
    // Two readings the articles use: the word weighs as the rarer ("لبنان", not "ل" + "بنان").
    expect((await weights([[china, mishustin], [china]])).coverage(new Set([mishustin]))).toBeGreaterThan(0.5);
  });
});

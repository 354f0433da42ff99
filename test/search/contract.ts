import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseQuestion } from '../../src/answering/question.js';
import { contentTerms } from '../../src/arabic/tokens.js';
import type { Embedder } from '../../src/embedding/embedder.js';
import { readDataset } from '../../src/eval/datasets.js';
import { analyser, collectionStats, queryTerms, scoreDocument } from '../../src/search/bm25.js';
import type { SearchEngine } from '../../src/search/engine.js';
import { compareFiles } from '../../src/search/order.js';
import type { IndexedSentence, SearchIndex } from '../../src/search/search-index.js';
import { CHUNKING, copyCorpus, tinyEmbedder } from '../helpers/fixtures.js';
import { SEED_QA } from '../helpers/paths.js';
import { eventually } from '../helpers/wait.js';

/**
 * What every engine must do, run on each (test/search/<engine>/contract.test.ts):
 * `setup` gives a fresh, empty engine (its own folder, schema or database),
 * and `cleanup` lets go of it. The suite builds the seed corpus with two
 * articles of its own into it, with the tiny test model, and asks.
 */
export interface ContractEngine {
  engine: SearchEngine;
  cleanup?: () => Promise<void>;
}

/** A sentence two articles share word for word: equal vectors, equal BM25 scores. */
const SHARED = 'وقال المتحدث باسم اللجنة إن الاجتماع المقبل سيعقد في مدينة قازان خلال الخريف.';
const TWINS = {
  'contract-a.md': `---\ntitle: "اجتماع اللجنة في قازان"\n---\nاجتمعت اللجنة المشتركة أمس في العاصمة.\n${SHARED}\nوناقش الجانبان التعاون في مجال الزراعة.\n`,
  'contract-b.md': `---\ntitle: "بيان عن اجتماع اللجنة"\n---\nأصدرت الوزارة بيانا مساء الثلاثاء.\n${SHARED}\n`,
};
/** An article published by the second build: its words are in no other. */
const LATE = {
  file: 'contract-late.md',
  id: 'contract-late',
  text: '---\ntitle: "مهرجان الزعفران في تالين"\n---\nافتتح مهرجان الزعفران في تالين صباح اليوم.\nوحضره عدد كبير من الزوار الفنلنديين.\n',
};

/** An article published after contract-a is removed, holding its shared sentence, under a file that sorts first. */
const TWIN = {
  file: '0000-twin.md',
  id: '0000-twin',
  text: `---\ntitle: "عن اجتماع اللجنة"\n---\n${SHARED}\nوأضاف أن الوفود ستصل قبل الموعد بيومين.\n`,
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The order of ids by their similarities, most similar first, equal ones in the order given. */
function byScore(ids: readonly number[], similarities: readonly number[]): number[] {
  return ids
    .map((_, i) => i)
    .sort((a, b) => similarities[b] - similarities[a])
    .map((i) => ids[i]);
}

export function searchIndexContract(name: string, setup: () => Promise<ContractEngine>): void {
  describe(`SearchIndex contract: ${name}`, () => {
    let engine: ContractEngine;
    let embedder: Embedder;
    let corpusDir: string;
    let index: SearchIndex;
    let all: IndexedSentence[];
    let questions: string[];

    beforeAll(async () => {
      embedder = await tinyEmbedder();
      engine = await setup();
      corpusDir = copyCorpus();
      for (const [file, text] of Object.entries(TWINS)) writeFileSync(join(corpusDir, file), text);
      await engine.engine.build({ corpusDir, embedder, chunking: CHUNKING });
      index = await engine.engine.open();
      const found = await index.sentences(range(index.sentenceCount));
      all = found.map((s, id) => {
        if (!s) throw new Error(`sentence ${id} of ${index.sentenceCount} is missing`);
        return s;
      });
      questions = [
        ...(await readDataset(SEED_QA)).questions.map((q) => q.question),
        'متى سيعقد الاجتماع المقبل للجنة في قازان؟',
      ];
    });

    afterAll(async () => {
      await index?.close();
      await engine?.engine.close();
      await engine?.cleanup?.();
    });

    it('numbers sentences in article order: sentence id + 1 follows id in the same article', async () => {
      expect(all.map((s) => s.id)).toEqual(range(index.sentenceCount));
      const { total, items } = await index.articles({ offset: 0, limit: 1000 });
      expect(total).toBe(7);
      expect(items.map((a) => a.id)).toEqual([...items.map((a) => a.id)].sort());
      let id = 0;
      for (const meta of items) {
        const article = await index.article(meta.id);
        expect(article?.title).toBe(meta.title);
        // The article's sentences are the next ids, in order, positions 0, 1, 2, …
        for (const [position, text] of (article?.sentences ?? []).entries()) {
          expect(all[id]).toEqual({ id, articleId: meta.id, position, text });
          id++;
        }
      }
      expect(id).toBe(index.sentenceCount);
      const [outside, before] = await index.sentences([index.sentenceCount, -1]);
      expect(outside).toBeUndefined();
      expect(before).toBeUndefined();
    });

    it('answers batches one per id, in the order given: sentences, windows, chunks, article sources', async () => {
      const ids = [7, 3, 3, 0, index.sentenceCount - 1];
      expect(await index.sentences(ids)).toEqual(ids.map((id) => all[id]));
      const windows = await index.windows(ids, 1);
      ids.forEach((id, i) => {
        const expected = [id - 1, id, id + 1].filter((n) => all[n]?.articleId === all[id].articleId);
        expect(windows[i].map((s) => s.id)).toEqual(expected);
        expect(windows[i]).toEqual(expected.map((n) => all[n]));
      });
      expect(await index.windows([index.sentenceCount + 5], 2)).toEqual([[]]);
      const articleIds = ['contract-b', 'nothing-here', 'contract-a'];
      const metas = await index.articleMetas(articleIds);
      expect(metas.map((m) => m?.title)).toEqual(['بيان عن اجتماع اللجنة', undefined, 'اجتماع اللجنة في قازان']);
      expect(metas[0]).not.toHaveProperty('sentences');
      // Chunks are runs of whole sentences of one article, in order.
      const hits = await index.lexicalSearch('chunk', 'الصين روسيا قازان', 20);
      const spans = await index.chunks(hits.map((h) => h.id));
      expect(spans).toHaveLength(hits.length);
      for (const { first, last } of spans) {
        expect(last).toBeGreaterThanOrEqual(first);
        expect(all[last].articleId).toBe(all[first].articleId);
      }
    });

    it('ranks each group by similarity exactly as sentenceSimilarities orders it, equal similarities in the order given', async () => {
      const groups: number[][] = [];
      for (let first = 0; first + 6 <= index.sentenceCount; first += 5) groups.push(range(6).map((i) => first + i));
      groups.push(range(40).map((i) => (i * 17) % index.sentenceCount));
      const [a, b] = all.filter((s) => s.text === SHARED).map((s) => s.id);
      expect(b).toBeDefined();
      groups.push([b, 0, a], [a, 0, b], [b, a], [a, b], [], [5]);
      for (const question of questions.slice(0, 8)) {
        const vector = await embedder.embedQuery(question);
        const ranked = await index.rankBySimilarity(vector, groups);
        expect(ranked).toHaveLength(groups.length);
        for (const [g, ids] of groups.entries()) {
          const similarities = await index.sentenceSimilarities(vector, ids);
          expect(similarities).toHaveLength(ids.length);
          expect(ranked[g], `${question}: group ${g}`).toEqual(byScore(ids, similarities));
        }
      }
      // The shared sentence has one vector in both articles: a tie, kept in the order given.
      const vector = await embedder.embedQuery(SHARED);
      const [same] = await index.sentenceSimilarities(vector, [a]);
      expect(await index.sentenceSimilarities(vector, [b])).toEqual([same]);
      expect(
        await index.rankBySimilarity(vector, [
          [b, a],
          [a, b],
        ]),
      ).toEqual([
        [b, a],
        [a, b],
      ]);
    });

    it('finds with termsIn, per group, what analysing the group’s sentences finds', async () => {
      let found = 0;
      for (const question of questions) {
        const terms = [...new Set(analyseQuestion(question, null).terms.flat())];
        const groups = range(Math.ceil(index.sentenceCount / 2)).map((g) =>
          [2 * g, 2 * g + 1, 2 * g + 9].filter((id) => id < index.sentenceCount),
        );
        const held = await index.termsIn(groups, terms);
        expect(held).toHaveLength(groups.length);
        for (const [g, ids] of groups.entries()) {
          const analysed = new Set(ids.flatMap((id) => contentTerms(all[id].text)));
          expect([...held[g]].sort()).toEqual(terms.filter((t) => analysed.has(t)).sort());
          found += held[g].size;
        }
      }
      expect(found).toBeGreaterThan(100);
    });

    it('scores sentences by the shared BM25 formula over the collection statistics, to the bit; ties in id order', async () => {
      const analyse = analyser();
      const docs = all.map((s) => analyse(s.text));
      const stats = collectionStats(docs);
      const terms = [...new Set(questions.flatMap((q) => queryTerms(q)))];
      expect(await index.documentFrequencies(terms)).toEqual(terms.map((t) => stats.frequency(t)));
      for (const question of questions) {
        const q = queryTerms(question);
        const firstHeld = (id: number) => q.findIndex((t) => docs[id].terms.has(t));
        const expected = docs
          .map((doc, id) => ({ id, score: scoreDocument(q, doc, stats) }))
          .filter((h) => h.score > 0)
          .sort((x, y) => y.score - x.score || firstHeld(x.id) - firstHeld(y.id) || x.id - y.id)
          .slice(0, 20);
        expect(await index.lexicalSearch('sentence', question, 20), question).toEqual(expected);
      }
      // The shared sentence scores the same in both articles: the earlier article's first.
      const [a, b] = all.filter((s) => s.text === SHARED).map((s) => s.id);
      const hits = await index.lexicalSearch('sentence', 'قازان الخريف', 5);
      expect(hits.slice(0, 2).map((h) => h.id)).toEqual([a, b]);
      expect(hits[0].score).toBe(hits[1].score);
      // Chunks: best first.
      const chunks = await index.lexicalSearch('chunk', questions[0], 20);
      expect(chunks.map((h) => h.score)).toEqual(chunks.map((h) => h.score).sort((x, y) => y - x));
    });

    it('finds passages by meaning: dense hits best first, each a passage of the build', async () => {
      const vector = await embedder.embedQuery(questions[0]);
      const hits = await index.denseSearch('sentence', vector, 10);
      expect(hits).toHaveLength(10);
      expect(hits.map((h) => h.score)).toEqual(hits.map((h) => h.score).sort((x, y) => y - x));
      const exact = await index.sentenceSimilarities(
        vector,
        hits.map((h) => h.id),
      );
      for (const [i, h] of hits.entries()) expect(h.score).toBeCloseTo(exact[i], 4);
      const chunks = await index.denseSearch('chunk', vector, 5);
      expect(await index.chunks(chunks.map((h) => h.id))).toHaveLength(5);
    });

    it('publishes a build whole: a reader keeps its build, and after the watch fires the new build is seen whole', async () => {
      const before = await engine.engine.currentVersion();
      expect(before).toBe(index.version);
      let fired = 0;
      const unwatch = engine.engine.watch(() => fired++, { intervalMs: 100 });
      try {
        writeFileSync(join(corpusDir, LATE.file), LATE.text);
        const report = await engine.engine.build({ corpusDir, embedder, chunking: CHUNKING });
        expect(report.version).not.toBe(before);
        expect(await eventually(() => fired > 0, 10_000)).toBe(true);
        expect(await engine.engine.currentVersion()).toBe(report.version);

        const newer = await engine.engine.open({ reuse: index });
        try {
          expect(newer.version).toBe(report.version);
          const late = await newer.article(LATE.id);
          expect(late?.sentences).toHaveLength(2);
          expect(newer.sentenceCount).toBe(index.sentenceCount + 2);
          const lateHits = await newer.lexicalSearch('sentence', 'الزعفران تالين', 5);
          expect((await newer.sentences(lateHits.map((h) => h.id))).map((s) => s?.articleId)).toContain(LATE.id);

          // The reader opened before the publish answers from its own build, all of it, and only it.
          expect(index.version).toBe(before);
          expect(await index.article(LATE.id)).toBeUndefined();
          expect(await index.lexicalSearch('sentence', 'الزعفران تالين', 5)).toEqual([]);
          expect(await index.sentences(range(index.sentenceCount))).toEqual(all);
          const vector = await embedder.embedQuery('مهرجان الزعفران في تالين');
          for (const kind of ['sentence', 'chunk'] as const) {
            const hits = await index.denseSearch(kind, vector, 50);
            expect(hits.length).toBeGreaterThan(0);
            const limit = kind === 'sentence' ? index.sentenceCount : Number.POSITIVE_INFINITY;
            for (const h of hits) expect(h.id).toBeLessThan(limit);
          }
          expect((await index.articles({ offset: 0, limit: 100 })).total).toBe(7);
          expect((await newer.articles({ offset: 0, limit: 100 })).total).toBe(8);
        } finally {
          await newer.close();
        }
      } finally {
        unwatch();
      }
    });

    it('after an article is removed and one added whose file sorts first, scores and equal ones follow the files, whatever the ids', async () => {
      // contract-a goes; its shared sentence comes back in an article whose file sorts before every other.
      rmSync(join(corpusDir, 'contract-a.md'));
      writeFileSync(join(corpusDir, TWIN.file), TWIN.text);
      await engine.engine.build({ corpusDir, embedder, chunking: CHUNKING });
      const after = await engine.engine.open();
      try {
        // Every sentence of the build in the shared order (src/search/order.ts): by file, then place in the article.
        const fileOf = new Map(readdirSync(corpusDir).map((f) => [f.replace(/\.[^.]+$/, ''), f]));
        const { items } = await after.articles({ offset: 0, limit: 1000 });
        const ordered = items.map((a) => a.id).sort((x, y) => compareFiles(fileOf.get(x) ?? x, fileOf.get(y) ?? y));
        expect(ordered[0]).toBe(TWIN.id);
        const texts = await Promise.all(ordered.map(async (id) => (await after.article(id))?.sentences ?? []));
        const sentences = ordered.flatMap((articleId, a) => texts[a].map((text) => ({ articleId, text })));
        expect(sentences).toHaveLength(after.sentenceCount);
        const analyse = analyser();
        const docs = sentences.map((s) => analyse(s.text));
        // The average length goes through the sentences in that order: the reference's scores to the bit.
        const stats = collectionStats(docs);
        for (const question of [...questions, 'قازان الخريف']) {
          const q = queryTerms(question);
          const firstHeld = (i: number) => q.findIndex((t) => docs[i].terms.has(t));
          const expected = docs
            .map((doc, i) => ({ i, score: scoreDocument(q, doc, stats) }))
            .filter((h) => h.score > 0)
            .sort((x, y) => y.score - x.score || firstHeld(x.i) - firstHeld(y.i) || x.i - y.i)
            .slice(0, 20)
            .map((h) => [sentences[h.i].articleId, sentences[h.i].text, h.score]);
          const hits = await after.lexicalSearch('sentence', question, 20);
          const found = await after.sentences(hits.map((h) => h.id));
          expect(
            hits.map((h, n) => [found[n]?.articleId, found[n]?.text, h.score]),
            question,
          ).toEqual(expected);
        }
        // The shared sentence: the same score and vector in the twin and contract-b; the twin's file comes first.
        const lexical = await after.lexicalSearch('sentence', 'قازان الخريف', 2);
        expect((await after.sentences(lexical.map((h) => h.id))).map((s) => s?.articleId)).toEqual([
          TWIN.id,
          'contract-b',
        ]);
        const dense = await after.denseSearch('sentence', await embedder.embedQuery(SHARED), 2);
        expect(dense[0].score).toBe(dense[1].score);
        expect((await after.sentences(dense.map((h) => h.id))).map((s) => s?.articleId)).toEqual([
          TWIN.id,
          'contract-b',
        ]);
      } finally {
        await after.close();
      }
    });
  });
}

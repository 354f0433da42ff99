import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareEngines, type EngineComparison } from '../../../bench/equivalence.js';
import { type EvalDataset, readDataset, writeArticles } from '../../../src/eval/datasets.js';
import { builtInEmbedder, CHUNKING, copyCorpus, tempDir } from '../../helpers/fixtures.js';
import { ARCD, CORPUS_DIR, SEED_QA } from '../../helpers/paths.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  await db.reset();
});

/** Where the two engines' first quotes (text and article) differ, for the failure message. */
const why = (result: EngineComparison) => JSON.stringify(result.differences, null, 1);

describe('the postgres engine answers as the local engine (built-in model)', () => {
  it('on the seed questions: hit@1 and hit@3 within 0.005, at least 98% of first quotes the same, a handful of round trips a question', async () => {
    const dataset = await readDataset(SEED_QA);
    const result = await compareEngines(dataset, CORPUS_DIR, db.url, await builtInEmbedder(), CHUNKING);
    expect(result.questions).toBe(dataset.questions.length);
    expect(Math.abs(result.postgres.hitAt1 - result.local.hitAt1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(result.postgres.hitAt3 - result.local.hitAt3)).toBeLessThanOrEqual(0.005);
    expect(result.sameFirstQuoteShare, why(result)).toBeGreaterThanOrEqual(0.98);
    // Each index member is one query, or none for what a question read before (both lexical searches' terms
    // come with the frequencies the answer's term weights ask first; the two dense searches go together; the
    // windows bring the similarities' vectors): 3.1 a question here, and never fewer than two (the dense
    // searches and the windows, which nothing keeps).
    expect(result.roundTrips.mean).toBeGreaterThanOrEqual(2);
    expect(result.roundTrips.max).toBeLessThanOrEqual(8);
  }, 180_000); // two builds and every question on both engines

  // The postgres engine keeps an article's ids while it lives and gives new ones after all others; the local
  // engine numbers a whole build again in file order. Equal scores and BM25's average length follow the
  // articles' files in both (src/search/order.ts), so the answers stay the same whatever the ids.
  it('on the seed questions after an article is removed and others added, a copy among them whose file sorts first: every answer the same', async () => {
    const dataset = await readDataset(SEED_QA);
    const corpusDir = copyCorpus();
    const result = await compareEngines(dataset, corpusDir, db.url, await builtInEmbedder(), CHUNKING, [
      (dir) => {
        rmSync(join(dir, '002_26a9db706ec05ddb.txt'));
        // Word for word the same as 001: every one of its passages ties with the original's.
        copyFileSync(join(dir, '001_affb6d0cda8cf843.txt'), join(dir, '0000_copy.txt'));
      },
      (dir) => {
        // Then one whose file sorts between the others (a build that only adds).
        copyFileSync(join(dir, '003_70567a16c9b3e8e4.txt'), join(dir, '001a_copy.txt'));
      },
    ]);
    expect(result.sameFirstQuote, why(result)).toBe(dataset.questions.length);
    expect(result.sameQuotes, why(result)).toBe(dataset.questions.length);
    expect(result.postgres).toEqual(result.local);
  }, 240_000);

  it('on ARCD questions over their articles after removals and additions: every first quote the same', async () => {
    const arcd = await readDataset(ARCD);
    const articles = (arcd.articles ?? []).slice(0, 24);
    // First built without two of them; then one goes, the two come (their files sort among the others), and a copy.
    const [gone, ...held] = ['squad-0003', 'squad-0009', 'squad-0016'];
    const corpusDir = join(tempDir('arcd-equivalence'), 'corpus');
    await writeArticles(
      corpusDir,
      articles.filter((a) => !held.includes(a.id)),
    );
    const last = new Set(articles.map((a) => a.id).filter((id) => id !== gone));
    const dataset: EvalDataset = {
      questions: arcd.questions.filter((q) => q.sources.every((s) => last.has(s))),
    };
    const result = await compareEngines(dataset, corpusDir, db.url, await builtInEmbedder(), CHUNKING, [
      async (dir) => {
        rmSync(join(dir, `${gone}.md`));
        await writeArticles(
          dir,
          articles.filter((a) => held.includes(a.id)),
        );
        const copied = articles[10];
        writeFileSync(join(dir, `copy-${copied.id}.md`), copied.markdown);
      },
    ]);
    expect(result.questions).toBeGreaterThan(150);
    expect(result.sameFirstQuote, why(result)).toBe(result.questions);
    expect(result.postgres).toEqual(result.local);
  }, 480_000);

  // Wire copies: two articles' sentences in 120 articles each (other titles), with the very same vectors. Each graph
  // holds a text once and a hit stands for every article holding it, in file order, so the engines keep the same
  // copies at the cut; with every copy in the graphs, each graph returned its own 100 of the 121.
  it('on ARCD questions over a corpus that repeats two articles in 120 copies each: at least 98% of first quotes the same', async () => {
    const arcd = await readDataset(ARCD);
    const articles = (arcd.articles ?? []).slice(0, 20);
    const corpusDir = join(tempDir('arcd-repeated'), 'corpus');
    const body = (markdown: string) => markdown.replace(/^---[\s\S]*?---\n/, '');
    const copies = articles.slice(0, 2).flatMap((article, a) =>
      Array.from({ length: 120 }, (_, i) => ({
        id: `wire-${a}-${String(i).padStart(3, '0')}`,
        markdown: `---\ntitle: "برقية ${a}-${i}"\n---\n${body(article.markdown)}`,
      })),
    );
    await writeArticles(corpusDir, [...articles, ...copies]);
    const held = new Set(articles.map((a) => a.id));
    const dataset: EvalDataset = { questions: arcd.questions.filter((q) => q.sources.every((s) => held.has(s))) };
    const result = await compareEngines(dataset, corpusDir, db.url, await builtInEmbedder(), CHUNKING);
    expect(result.questions).toBeGreaterThan(150);
    expect(result.sameFirstQuoteShare, why(result)).toBeGreaterThanOrEqual(0.98);
  }, 480_000);
});

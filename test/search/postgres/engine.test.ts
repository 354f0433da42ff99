import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ArticleExistsError, ArticleNotFoundError } from '../../../src/corpus/submit.js';
import type { Embedder } from '../../../src/embedding/embedder.js';
import { articleStoreFor, DatabaseArticleStore } from '../../../src/ingest/store.js';
import { queryTerms } from '../../../src/search/bm25.js';
import { LocalEngine } from '../../../src/search/local/engine.js';
import type { LocalIndex } from '../../../src/search/local/local-index.js';
import { openEngine } from '../../../src/search/open-engine.js';
import { type EngineOptions, PostgresEngine } from '../../../src/search/postgres/engine.js';
import {
  DatabaseBuildLockedError,
  DatabaseEmptyError,
  DatabaseSchemaError,
  DatabaseUnavailableError,
  VectorExtensionError,
} from '../../../src/search/postgres/errors.js';
import { PostgresIndex } from '../../../src/search/postgres/postgres-index.js';
import { PostingsCache } from '../../../src/search/postgres/postings-cache.js';
import { SCHEMA_VERSION } from '../../../src/search/postgres/schema.js';
import { KIND, readCurrentBuild, VISIBLE } from '../../../src/search/postgres/store.js';
import type { SearchIndex } from '../../../src/search/search-index.js';
import { builtInEmbedder, CHUNKING, copyCorpus, seedIndex, tempDir, tinyEmbedder } from '../../helpers/fixtures.js';
import { ROOT, SEED_QA } from '../../helpers/paths.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const questions: string[] = JSON.parse(readFileSync(SEED_QA, 'utf8')).questions.map(
  (q: { question: string }) => q.question,
);

let db: TestPostgres;
let embedder: Embedder;
let local: LocalIndex;

beforeAll(async () => {
  [db, embedder] = await Promise.all([startPostgres(), builtInEmbedder()]);
  local = (await seedIndex(embedder)).index;
});

afterAll(async () => {
  await local?.close();
  await db?.stop();
});

async function freshEngine(options?: EngineOptions): Promise<PostgresEngine> {
  await db.reset();
  return PostgresEngine.connect(db.url, options);
}

/** Not warmed as it opens a build: its postings cache holds what its questions read, nothing else. */
const COLD = { warmPostingsMb: 0 };

/**
 * The seed corpus built afresh, a replica (not warmed) with its build open, and a replica that caches no
 * postings (every BM25 search in the database's rounds), both closed when the test ends.
 */
async function seedReplicas() {
  const engine = await freshEngine(COLD);
  onTestFinished(() => engine.close());
  const inDatabase = await PostgresEngine.connect(db.url, { postingsCacheMb: 0 });
  onTestFinished(() => inDatabase.close());
  const corpusDir = copyCorpus();
  await engine.build({ corpusDir, embedder, chunking: CHUNKING });
  return { engine, inDatabase, corpusDir, index: await engine.open() };
}

describe('the postgres engine (a real PostgreSQL 18 + pgvector, PGlite over its wire protocol)', () => {
  it('builds the seed corpus, and its BM25 hits and scores are the local engine’s to the bit', async () => {
    const engine = await freshEngine();
    try {
      await expect(engine.open()).rejects.toBeInstanceOf(DatabaseEmptyError);
      const corpusDir = copyCorpus();
      const report = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      expect(report).toMatchObject({ published: true, articles: 5, embedded: 5, removed: 0 });
      // Scored in the process from the terms' postings (warmed as the build opened, or read whole), and in the database's
      // rounds (an engine that caches no postings): both the local engine's hits to the bit.
      const index = await engine.open();
      const inDatabase = await PostgresEngine.connect(db.url, { postingsCacheMb: 0 });
      onTestFinished(() => inDatabase.close());
      const rounds = await inDatabase.open();
      expect(index.sentenceCount).toBe(local.sentenceCount);
      expect(report.sentences).toBe(local.sentenceCount);
      let hits = 0;
      for (const question of questions) {
        for (const kind of ['sentence', 'chunk'] as const) {
          const [mine, inRounds, theirs] = await Promise.all([
            index.lexicalSearch(kind, question, 50),
            rounds.lexicalSearch(kind, question, 50),
            local.lexicalSearch(kind, question, 50),
          ]);
          expect(mine, `${kind}: ${question}`).toEqual(theirs);
          expect(inRounds, `${kind}: ${question}`).toEqual(theirs);
          hits += theirs.length;
        }
      }
      expect(hits).toBeGreaterThan(questions.length * 20);
      // Every search with a term the build holds went one way or the other.
      expect(index.cached.searches).toBeGreaterThan(questions.length);
      expect(index.pruning.searches).toBe(0);
      expect(rounds.pruning.searches).toBe(index.cached.searches);
      expect(rounds.cached.searches).toBe(0);
      const terms = ['روسيا', 'الصين', 'تايوان', 'لا-يوجد'];
      expect(await index.documentFrequencies(terms)).toEqual(await local.documentFrequencies(terms));

      // Pruned as at 10,000 articles (rounds of the rarest terms' passages, common terms ruled out by
      // the k-th score), the seed corpus's searches still give the local engine's hits to the bit.
      rounds.roundPostings = 3;
      const before = { ...rounds.pruning };
      for (const question of [...questions, 'روسيا الصين روسيا في في من', 'الصين']) {
        for (const kind of ['sentence', 'chunk'] as const) {
          for (const k of [1, 3, 10, 50]) {
            const theirs = await local.lexicalSearch(kind, question, k);
            expect(await rounds.lexicalSearch(kind, question, k), `${kind}, ${k}: ${question}`).toEqual(theirs);
            expect(await index.lexicalSearch(kind, question, k), `cached, ${kind}, ${k}: ${question}`).toEqual(theirs);
          }
        }
      }
      const searches = rounds.pruning.searches - before.searches;
      expect(rounds.pruning.rounds - before.rounds).toBeGreaterThan(searches);
      expect(rounds.pruning.ruledOut - before.ruledOut).toBeGreaterThan(searches / 4);
    } finally {
      await engine.close();
    }
  });

  it('keeps the postings its questions read, per build and within its bound, and scores from them as the database and the local engine do', async () => {
    const { engine, inDatabase, corpusDir, index } = await seedReplicas();
    const rounds = await inDatabase.open();
    const kinds = ['sentence', 'chunk'] as const;
    // The first time, each question's terms are read whole (one query for those not cached yet).
    for (const question of questions)
      for (const kind of kinds)
        expect(await index.lexicalSearch(kind, question, 20), `${kind}: ${question}`).toEqual(
          await local.lexicalSearch(kind, question, 20),
        );
    expect(index.cached.termsRead).toBeGreaterThan(20);
    expect(engine.postings.size).toBe(index.cached.termsRead);
    expect(engine.postings.builds()).toEqual(new Set([Number(index.version.slice(3))]));
    // Asked again: scored from memory, not one query, the same hits as the database's rounds score.
    const trips = index.roundTrips;
    for (const question of questions)
      for (const kind of kinds)
        expect(await index.lexicalSearch(kind, question, 20), `${kind}: ${question}`).toEqual(
          await rounds.lexicalSearch(kind, question, 20),
        );
    // The rerank's terms of sentences, from the same postings.
    const terms = [...new Set(questions.flatMap((q) => queryTerms(q)))];
    const groups = [[0, 1, 2], [5], [40, 41], [75]];
    expect(await index.termsIn(groups, terms)).toEqual(await local.termsIn(groups, terms));
    expect(index.roundTrips).toBe(trips);
    expect(index.cached.termsIn).toBe(1);

    // A fresh process keeps nothing: it answers at once from the database, the same hits.
    const fresh = await PostgresEngine.connect(db.url, COLD);
    try {
      const first = await fresh.open();
      expect(fresh.postings.size).toBe(0);
      expect(await first.lexicalSearch('sentence', questions[0], 20)).toEqual(
        await local.lexicalSearch('sentence', questions[0], 20),
      );
      expect(first.roundTrips).toBe(1); // the terms' statistics and their postings, in one query
      // The answer's term weights, asked before its searches, bring both kinds' postings with the terms'
      // frequencies, in one query: the lexical searches of sentences and of chunks that follow send none.
      const frequencies = await first.documentFrequencies(queryTerms(questions[1]));
      expect(frequencies).toEqual(await local.documentFrequencies(queryTerms(questions[1])));
      const known = first.roundTrips;
      expect(known).toBe(2);
      expect(await first.lexicalSearch('sentence', questions[1], 20)).toEqual(
        await local.lexicalSearch('sentence', questions[1], 20),
      );
      expect(first.roundTrips).toBe(known);
      expect(await first.lexicalSearch('chunk', questions[1], 20)).toEqual(
        await local.lexicalSearch('chunk', questions[1], 20),
      );
      expect(first.roundTrips).toBe(known);
    } finally {
      await fresh.close();
    }
    // Asked at once (as an answer asks its term weights and its searches), the search waits for the
    // weights' query instead of sending its own: one round trip for both.
    const another = await PostgresEngine.connect(db.url, COLD);
    try {
      const index2 = await another.open();
      const [frequencies, hits] = await Promise.all([
        index2.documentFrequencies(queryTerms(questions[2])),
        index2.lexicalSearch('chunk', questions[2], 20),
      ]);
      expect(index2.roundTrips).toBe(1);
      expect(frequencies).toEqual(await local.documentFrequencies(queryTerms(questions[2])));
      expect(hits).toEqual(await local.lexicalSearch('chunk', questions[2], 20));
    } finally {
      await another.close();
    }

    // A bound smaller than the corpus's postings: never exceeded, and every answer still right.
    const row = await readCurrentBuild(engine.pool);
    if (!row) throw new Error('no published build');
    const small = new PostingsCache(16 * 1024);
    const bounded = new PostgresIndex(engine.pool, row, small);
    let largest = 0;
    for (const question of [...questions, ...questions])
      for (const kind of kinds) {
        expect(await bounded.lexicalSearch(kind, question, 10), `${kind}: ${question}`).toEqual(
          await local.lexicalSearch(kind, question, 10),
        );
        expect(small.bytes).toBeLessThanOrEqual(16 * 1024);
        largest = Math.max(largest, small.bytes);
      }
    expect(largest).toBeGreaterThan(8 * 1024);
    expect(bounded.cached.termsRead).toBeGreaterThan(index.cached.termsRead);

    // A new build: the replica's next index takes over the postings of the terms the build did not
    // change (their term_stats rows are the older build's), reads the others again when asked, and the
    // older build's go.
    const older = Number(index.version.slice(3));
    const keptBefore = engine.postings.entriesOf(older).map((e) => `${e.kind} ${e.term}`);
    writeFileSync(join(corpusDir, 'zz-cache.txt'), 'قالت الصين إن روسيا والصين ستوقعان اتفاقا جديدا للتعاون.\n');
    await engine.build({ corpusDir, embedder, chunking: CHUNKING });
    const newer = await engine.open();
    const newerBuild = Number(newer.version.slice(3));
    const newerRounds = await inDatabase.open();
    const { rows: rewritten } = await engine.pool.query<{ kind: number; term: string }>(
      'SELECT kind, term FROM term_stats WHERE added_in = $1',
      [newerBuild],
    );
    const changed = new Set(rewritten.map((r) => `${r.kind === KIND.sentence ? 'sentence' : 'chunk'} ${r.term}`));
    const unchanged = keptBefore.filter((entry) => !changed.has(entry));
    expect(unchanged.length).toBeGreaterThan(0);
    expect(unchanged.length).toBeLessThan(keptBefore.length);
    expect(engine.postings.builds()).toEqual(new Set([newerBuild]));
    expect(
      engine.postings
        .entriesOf(newerBuild)
        .map((e) => `${e.kind} ${e.term}`)
        .sort(),
    ).toEqual(unchanged.sort());
    // Taken over and read again alike, the newer build's searches are its own, to the bit.
    for (const q of questions)
      for (const kind of kinds)
        expect(await newer.lexicalSearch(kind, q, 20), `${kind}: ${q}`).toEqual(
          await newerRounds.lexicalSearch(kind, q, 20),
        );
    const question = 'ما الذي ستوقعه الصين وروسيا؟';
    for (const kind of kinds) {
      const hits = await newer.lexicalSearch(kind, question, 10);
      expect(hits, kind).toEqual(await newerRounds.lexicalSearch(kind, question, 10));
      expect(hits, kind).not.toEqual(await index.lexicalSearch(kind, question, 10));
    }
    expect(engine.postings.builds()).toEqual(new Set([Number(index.version.slice(3)), Number(newer.version.slice(3))]));
    const [top] = await newer.lexicalSearch('sentence', question, 1);
    expect((await newer.sentences([top.id]))[0]?.articleId).toBe('zz-cache');
  });

  it('takes over, across builds it skipped that change an article in place, remove one and add one, only what the newest did not change: its searches are the database’s rounds’, to the bit', async () => {
    const { engine, inDatabase, corpusDir, index } = await seedReplicas();
    const kinds = ['sentence', 'chunk'] as const;
    for (const question of questions) for (const kind of kinds) await index.lexicalSearch(kind, question, 20);
    const kept = engine.postings.entriesOf(Number(index.version.slice(3))).length;
    expect(kept).toBeGreaterThan(20);
    // Two builds this replica never opens: an article changed in place and another removed; then one added.
    const files = readdirSync(corpusDir)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    const changed = join(corpusDir, files[0]);
    writeFileSync(
      changed,
      `${readFileSync(changed, 'utf8')}\nوأضاف المتحدث أن المحادثات ستستمر الأسبوع المقبل في موسكو.\n`,
    );
    rmSync(join(corpusDir, files[1]));
    await engine.build({ corpusDir, embedder, chunking: CHUNKING });
    writeFileSync(join(corpusDir, 'zz-skipped.txt'), 'قالت الصين إن التجارة مع روسيا ستنمو هذا العام.\n');
    await engine.build({ corpusDir, embedder, chunking: CHUNKING });
    const newer = await engine.open();
    const rounds = await inDatabase.open();
    const carried = engine.postings.size;
    expect(carried).toBeGreaterThan(0);
    expect(carried).toBeLessThan(kept);
    for (const question of questions)
      for (const kind of kinds)
        expect(await newer.lexicalSearch(kind, question, 20), `${kind}: ${question}`).toEqual(
          await rounds.lexicalSearch(kind, question, 20),
        );
  });

  it('warms a build as it opens with its commonest terms’ postings, within its budget: their searches send no query, and score as the local engine does', async () => {
    const engine = await freshEngine(); // by default, a quarter of the postings cache: the whole seed corpus
    try {
      await engine.build({ corpusDir: copyCorpus(), embedder, chunking: CHUNKING });
      const index = await engine.open();
      const row = await readCurrentBuild(engine.pool);
      if (!row) throw new Error('no published build');
      const { rows } = await engine.pool.query<{ kind: number; term: string; documents: number }>(
        `SELECT kind, term, documents FROM term_stats WHERE ${VISIBLE} ORDER BY documents DESC, kind, term`,
        [row.id],
      );
      expect(engine.postings.size).toBe(rows.length);
      const held = (kind: number) => new Set(rows.filter((r) => r.kind === kind).map((r) => r.term));
      const sentenceTerms = held(KIND.sentence);
      const chunkTerms = held(KIND.chunk);
      const warmed = questions.filter((q) => queryTerms(q).every((t) => sentenceTerms.has(t) && chunkTerms.has(t)));
      expect(warmed.length).toBeGreaterThan(2);
      const trips = index.roundTrips;
      for (const question of warmed)
        for (const kind of ['sentence', 'chunk'] as const)
          expect(await index.lexicalSearch(kind, question, 20), `${kind}: ${question}`).toEqual(
            await local.lexicalSearch(kind, question, 20),
          );
      expect(index.roundTrips).toBe(trips);
      expect(index.cached.termsRead).toBe(0);

      // The commonest first, never past the budget (in the cache's bytes).
      const kindOf = (r: { kind: number }) => (r.kind === KIND.sentence ? 'sentence' : 'chunk');
      for (const budget of [64 * 1024, 16 * 1024]) {
        const cache = new PostingsCache(2 ** 20);
        const { terms } = await new PostgresIndex(engine.pool, row, cache).warm(budget);
        expect(terms).toBeGreaterThan(0);
        expect(terms).toBeLessThan(rows.length);
        expect(cache.bytes).toBeLessThanOrEqual(budget);
        expect(cache.size).toBe(terms);
        for (const r of rows.slice(0, terms))
          expect(cache.get(row.id, kindOf(r), r.term)?.ids.length).toBe(r.documents);
        expect(cache.has(row.id, kindOf(rows[terms]), rows[terms].term)).toBe(false);
      }
      // As the program opens it: warmed, but for a process asking one question (`npm run ask` without --batch).
      const config = { indexDir: 'embeddings', search: { backend: 'postgres' as const, databaseUrl: db.url } };
      for (const warm of [true, false]) {
        const opened = (await openEngine(config, { warm })) as PostgresEngine;
        try {
          await opened.open();
          expect(opened.postings.size, `warm: ${warm}`).toBe(warm ? rows.length : 0);
        } finally {
          await opened.close();
        }
      }

      // A warm-up that fails (its query made to fail: a mock of one method) costs the head start only:
      // the build opens, answers from the database, and the failure is a warning on stderr.
      const warnings: Error[] = [];
      const warned = (warning: Error) => warnings.push(warning);
      process.on('warning', warned);
      const failing = vi.spyOn(PostgresIndex.prototype, 'warm').mockRejectedValueOnce(new Error('canceling statement'));
      const unwarmed = await PostgresEngine.connect(db.url);
      try {
        const opened = await unwarmed.open();
        expect(unwarmed.postings.size).toBe(0);
        expect(await opened.lexicalSearch('sentence', questions[0], 5)).toEqual(
          await local.lexicalSearch('sentence', questions[0], 5),
        );
        await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
        expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([
          'PostgresWarmUpWarning: the postings cache was not warmed (canceling statement); questions read what they need from the database',
        ]);
      } finally {
        failing.mockRestore();
        process.off('warning', warned);
        await unwarmed.close();
      }

      // A newer build: its unchanged terms' postings are taken over (the same arrays), not read again;
      // a term the new article holds is read again, with its new passage.
      const key = (r: { kind: number; term: string }) => `${r.kind} ${r.term}`;
      const before = new Map(rows.map((r) => [key(r), engine.postings.get(row.id, kindOf(r), r.term)]));
      const corpusDir = copyCorpus();
      writeFileSync(join(corpusDir, 'zz-warm.txt'), 'قالت الصين إن روسيا والصين ستوقعان اتفاقا جديدا للتعاون.\n');
      await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      const newer = await engine.open();
      const newerBuild = Number(newer.version.slice(3));
      const { rows: rewritten } = await engine.pool.query<{ kind: number; term: string }>(
        'SELECT kind, term FROM term_stats WHERE added_in = $1',
        [newerBuild],
      );
      const changed = new Set(rewritten.map(key));
      const unchanged = rows.filter((r) => !changed.has(key(r)));
      const rewrittenWarmed = rows.filter((r) => changed.has(key(r)));
      expect(unchanged.length).toBeGreaterThan(0);
      expect(rewrittenWarmed.length).toBeGreaterThan(0);
      for (const r of unchanged.slice(0, 20)) {
        const kept = before.get(key(r));
        expect(kept, r.term).toBeDefined();
        expect(engine.postings.get(newerBuild, kindOf(r), r.term), r.term).toBe(kept);
      }
      for (const r of rewrittenWarmed) {
        const list = engine.postings.get(newerBuild, kindOf(r), r.term);
        expect(list, r.term).not.toBe(before.get(key(r)));
        expect(list?.ids.length, r.term).toBeGreaterThan(r.documents);
      }
    } finally {
      await engine.close();
    }
  });

  it('keeps what a question read for the next ones: chunks bring their vectors, windows their neighbours and sources', async () => {
    const engine = await freshEngine();
    try {
      await engine.build({ corpusDir: copyCorpus(), embedder, chunking: CHUNKING });
      const index = await engine.open();
      const vector = await embedder.embedQuery(questions[0]);
      const chunkIds = [2, 0, 5];
      const spans = await index.chunks(chunkIds);
      expect(spans).toEqual(await local.chunks(chunkIds));
      const groups = spans.map(({ first, last }) => Array.from({ length: last - first + 1 }, (_, i) => first + i));
      // The chunks' sentences' vectors came with the spans, in pgvector's binary form: the same float32s.
      let trips = index.roundTrips;
      expect(await index.rankBySimilarity(vector, groups)).toEqual(await local.rankBySimilarity(vector, groups));
      expect(await index.sentenceSimilarities(vector, groups.flat())).toEqual(
        await local.sentenceSimilarities(vector, groups.flat()),
      );
      expect(await index.chunks(chunkIds)).toEqual(spans);
      expect(index.roundTrips).toBe(trips);
      // Spans kept whose vectors were let go (as at 10,000 articles, where a replica's questions touch
      // more sentences than it keeps vectors): read again with their vectors, and the similarities send nothing.
      (index as unknown as { vectorCache: { clear(): void } }).vectorCache.clear();
      expect(await index.chunks(chunkIds)).toEqual(spans);
      expect(index.roundTrips).toBe(trips + 1);
      expect(await index.rankBySimilarity(vector, groups)).toEqual(await local.rankBySimilarity(vector, groups));
      expect(index.roundTrips).toBe(trips + 1);
      // A window's query brings the sentences either side of it, across an article's end too, and the
      // articles' sources: what the quotes ask next.
      const last = (await local.sentences([...Array(local.sentenceCount).keys()])).findIndex(
        (s, id, all) => s && all[id + 1] && s.articleId !== all[id + 1]?.articleId,
      );
      const centers = [last, 3];
      expect(await index.windows(centers, 1)).toEqual(await local.windows(centers, 1));
      trips = index.roundTrips;
      const wanted = centers.flatMap((id) => [id - 1, id, id + 1]);
      expect(await index.sentences(wanted)).toEqual(await local.sentences(wanted));
      const articleIds = [...new Set((await local.sentences(wanted)).map((s) => s?.articleId ?? ''))];
      expect(await index.articleMetas(articleIds)).toEqual(await local.articleMetas(articleIds));
      expect(index.roundTrips).toBe(trips);
      // A fresh index (a new process) has nothing kept, and reads the same from the database.
      const fresh = await engine.open();
      const opened = fresh.roundTrips; // warmed as it opened: the commonest terms' postings, no passages
      expect(await fresh.sentences(wanted)).toEqual(await local.sentences(wanted));
      expect(fresh.roundTrips).toBe(opened + 1);
    } finally {
      await engine.close();
    }
  });

  it('reads passages in batches, as the local engine gives them', async () => {
    const engine = await freshEngine();
    try {
      await engine.build({ corpusDir: copyCorpus(), embedder, chunking: CHUNKING });
      const index = await engine.open();
      const ids = [0, 5, 17, 3, 5];
      const sentences = await index.sentences([...ids, 10_000_000]);
      expect(sentences.slice(0, 5)).toEqual(await local.sentences(ids));
      expect(sentences[5]).toBeUndefined();
      expect(await index.windows(ids, 2)).toEqual(await local.windows(ids, 2));
      expect(await index.chunks([0, 3, 1])).toEqual(await local.chunks([0, 3, 1]));
      const vector = await embedder.embedQuery(questions[0]);
      // The windows brought their centers' vectors: the similarities the rerank asks next send no query.
      const windowed = index.roundTrips;
      const exact = await index.sentenceSimilarities(vector, ids);
      expect(index.roundTrips).toBe(windowed);
      expect(exact).toEqual(await local.sentenceSimilarities(vector, ids));
      expect(await index.sentenceSimilarities(vector, [40, 41])).toEqual(
        await local.sentenceSimilarities(vector, [40, 41]),
      );
      expect(index.roundTrips).toBe(windowed + 1);
      // A build's vectors never change: asked again, they are not read again.
      const trips = index.roundTrips;
      expect(await index.sentenceSimilarities(vector, [...ids].reverse())).toEqual([...exact].reverse());
      expect(index.roundTrips).toBe(trips);
      const groups = [
        [0, 1, 2, 3, 4, 5, 6],
        [9, 8, 7],
      ];
      expect(await index.rankBySimilarity(vector, groups)).toEqual(await local.rankBySimilarity(vector, groups));
      const terms = ['روسيا', 'الصين', 'بوتين'];
      expect(await index.termsIn(groups, terms)).toEqual(await local.termsIn(groups, terms));
      const page = await index.articles({ offset: 1, limit: 2 });
      expect(page).toEqual(await local.articles({ offset: 1, limit: 2 }));
      const first = (await local.articles({ offset: 0, limit: 1 })).items[0];
      expect(await index.article(first.id)).toEqual(await local.article(first.id));
      expect(await index.articleMetas([first.id, 'none'])).toEqual([first, undefined]);
      // Dense search: pgvector's graph is not hnswlib's, but at this size both find the nearest.
      const [mine, theirs] = await Promise.all([
        index.denseSearch('sentence', vector, 10),
        local.denseSearch('sentence', vector, 10),
      ]);
      expect(mine.map((h) => h.id)).toEqual(theirs.map((h) => h.id));
      for (const [i, hit] of mine.entries()) expect(hit.score).toBeCloseTo(theirs[i].score, 5);
      // Both kinds asked together (as a question asks them), with one vector: one query, the same hits as apart.
      const apart = [await index.denseSearch('sentence', vector, 12), await index.denseSearch('chunk', vector, 12)];
      const before = index.roundTrips;
      const together = await Promise.all([
        index.denseSearch('sentence', vector, 12),
        index.denseSearch('chunk', vector, 12),
        index.denseSearch('sentence', vector, 3),
      ]);
      expect(index.roundTrips - before).toBe(2); // k 12's two kinds in one query, k 3 in another
      expect(together.slice(0, 2)).toEqual(apart);
      expect(together[2]).toEqual(apart[0].slice(0, 3));
    } finally {
      await engine.close();
    }
  });

  // One sentence in many articles (wire copies): equal vectors, which pgvector's graph gives in an order of its own.
  it('gives a sentence that 30 articles share in the order of their files, as the local engine does, on a fresh build', async () => {
    const shared = 'وقال المتحدث باسم اللجنة إن الاجتماع المقبل سيعقد في مدينة قازان خلال الخريف.';
    const corpusDir = join(tempDir('shared-sentence'), 'corpus');
    mkdirSync(corpusDir);
    const files = Array.from({ length: 30 }, (_, i) => `wire-${String(i).padStart(2, '0')}`);
    for (const [i, file] of files.entries())
      writeFileSync(
        join(corpusDir, `${file}.md`),
        `---\ntitle: "خبر ${i}"\n---\n${shared}\nوبلغ عدد الوفود ${i + 3} وفود.\n`,
      );
    const engine = await freshEngine();
    const localEngine = LocalEngine.fromFolder(join(tempDir('shared-sentence-index'), 'embeddings'));
    try {
      await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      await localEngine.build({ corpusDir, embedder, chunking: CHUNKING });
      const [index, theirs] = await Promise.all([engine.open(), localEngine.open()]);
      try {
        const vector = await embedder.embedQuery(shared);
        const articlesOf = async (i: SearchIndex) =>
          (await i.sentences((await i.denseSearch('sentence', vector, 40)).slice(0, 30).map((h) => h.id))).map(
            (s) => s?.articleId,
          );
        expect(await articlesOf(index)).toEqual(files);
        expect(await articlesOf(theirs)).toEqual(files);
      } finally {
        await Promise.all([index.close(), theirs.close()]);
      }
    } finally {
      await engine.close();
      await localEngine.close();
    }
  });

  it('keeps one vector per distinct text through builds that add and remove its passages, its first one among them, as the local engine finds them', async () => {
    const shared = 'وقال المتحدث باسم اللجنة إن الاجتماع المقبل سيعقد في مدينة قازان خلال الخريف.';
    const wire = (i: number) => `---\ntitle: "خبر ${i}"\n---\n${shared}\nوبلغ عدد الوفود ${i + 3} وفود.\n`;
    const corpusDir = join(tempDir('distinct'), 'corpus');
    mkdirSync(corpusDir);
    writeFileSync(join(corpusDir, 'other.md'), '---\ntitle: "خبر آخر"\n---\nقالت الوزارة إن الأمطار ستتواصل.\n');
    for (let i = 0; i < 8; i++) writeFileSync(join(corpusDir, `wire-${i}.md`), wire(i));
    const engine = await freshEngine();
    const localEngine = LocalEngine.fromFolder(join(tempDir('distinct-index'), 'embeddings'));
    const vector = await embedder.embedQuery(shared);
    /** The articles whose copy of the shared sentence the dense search finds, in its order. */
    const holders = async (index: SearchIndex, k = 40) => {
      const sentences = await index.sentences((await index.denseSearch('sentence', vector, k)).map((h) => h.id));
      return sentences.filter((s) => s?.text === shared).map((s) => s?.articleId);
    };
    /** The shared text's vector rows, of every build: [added_in, removed_in]. */
    const rowsOfShared = async () =>
      (
        await engine.pool.query<{ a: string; r: string | null }>(
          `SELECT v.added_in AS a, v.removed_in AS r FROM sentence_vectors v
            WHERE v.key = (SELECT text_key FROM sentences WHERE text = $1 LIMIT 1) ORDER BY v.added_in`,
          [shared],
        )
      ).rows.map((r) => [Number(r.a), r.r === null ? null : Number(r.r)]);
    const build = async () => {
      const report = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      await localEngine.build({ corpusDir, embedder, chunking: CHUNKING, allowShrink: true });
      const [index, theirs] = await Promise.all([engine.open(), localEngine.open()]);
      const found = await holders(index);
      expect(found).toEqual(await holders(theirs));
      // The cut at k passages falls inside the run of copies, in both engines alike.
      expect(await holders(index, 3)).toEqual(await holders(theirs, 3));
      await theirs.close();
      return { build: Number(report.version.slice(3)), index, found };
    };
    const wires = (...numbers: number[]) => numbers.map((i) => `wire-${i}`);
    try {
      const first = await build();
      expect(first.found).toEqual(wires(0, 1, 2, 3, 4, 5, 6, 7));
      // Nine passages of ten hold the shared sentence... once: one vector per distinct text.
      const distinct = async (b: number) =>
        Number(
          (await engine.pool.query<{ n: string }>(`SELECT count(*) AS n FROM sentence_vectors WHERE ${VISIBLE}`, [b]))
            .rows[0].n,
        );
      expect(await distinct(first.build)).toBe(1 + 8 + 1);
      expect(await rowsOfShared()).toEqual([[first.build, null]]);

      // The article whose passage gave the text its vector goes, and a copy arrives whose file sorts first.
      rmSync(join(corpusDir, 'wire-0.md'));
      writeFileSync(join(corpusDir, 'aaa-wire.md'), wire(8));
      const second = await build();
      expect(second.found).toEqual(['aaa-wire', ...wires(1, 2, 3, 4, 5, 6, 7)]);
      expect(await rowsOfShared()).toEqual([[first.build, null]]);
      // A reader of the first build still has the first build's passages behind the text.
      expect(await holders(first.index)).toEqual(first.found);

      // Every copy goes but one, then that one: the text's row is removed with its last passage.
      for (const file of ['aaa-wire', ...wires(1, 2, 3, 4, 5, 6)]) rmSync(join(corpusDir, `${file}.md`));
      const third = await build();
      expect(third.found).toEqual(wires(7));
      rmSync(join(corpusDir, 'wire-7.md'));
      const fourth = await build();
      expect(fourth.found).toEqual([]);
      expect(await rowsOfShared()).toEqual([[first.build, fourth.build]]);
      expect(await distinct(fourth.build)).toBe(1);
      // It comes back: a row of its own.
      writeFileSync(join(corpusDir, 'wire-9.md'), wire(9));
      const fifth = await build();
      expect(fifth.found).toEqual(wires(9));
      expect(await rowsOfShared()).toEqual([
        [first.build, fourth.build],
        [fifth.build, null],
      ]);
      for (const b of [first, second, third, fourth, fifth]) await b.index.close();
    } finally {
      await engine.close();
      await localEngine.close();
    }
  });

  it('embeds nothing when nothing changed, only a new article when one is added, and keeps the others’ rows', async () => {
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      const first = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      const again = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      expect(again).toMatchObject({ published: false, embedded: 0, passagesEmbedded: 0, version: first.version });
      writeFileSync(
        join(corpusDir, 'zz-new.txt'),
        'قال المتحدث إن الاجتماع المقبل سيعقد في القاهرة الشهر القادم لبحث التعاون.\n',
      );
      const added = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      expect(added).toMatchObject({ published: true, articles: 6, embedded: 1, reused: 5, removed: 0 });
      const rows = await engine.pool.query<{ n: string }>(`SELECT count(*) AS n FROM articles WHERE added_in = $1`, [
        Number(added.version.slice(3)),
      ]);
      expect(Number(rows.rows[0].n)).toBe(1);
      const index = await engine.open();
      expect(index.version).toBe(added.version);
      const hits = await index.lexicalSearch('sentence', 'الاجتماع المقبل في القاهرة', 1);
      expect((await index.sentences([hits[0].id]))[0]?.articleId).toBe('zz-new');
      // Removing a file removes its article; BM25 statistics are those of the remaining collection.
      rmSync(join(corpusDir, 'zz-new.txt'));
      const removed = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      expect(removed).toMatchObject({ published: true, articles: 5, embedded: 0, removed: 1 });
      const after = await engine.open();
      for (const question of questions.slice(0, 10)) {
        expect(await after.lexicalSearch('sentence', question, 20)).toEqual(
          await local.lexicalSearch('sentence', question, 20),
        );
      }
    } finally {
      await engine.close();
    }
  });

  it('a build that dies before publishing leaves the published build answering, and the next build cleans its rows up', async () => {
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      const published = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      writeFileSync(
        join(corpusDir, 'zz-half.txt'),
        'أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية.\n',
      );
      await expect(
        engine.build({
          corpusDir,
          embedder,
          chunking: CHUNKING,
          leaseSeconds: 1,
          beforePublish: async () => {
            throw new Error('killed');
          },
        }),
      ).rejects.toThrow('killed');
      const index = await engine.open();
      expect(index.version).toBe(published.version);
      expect(await index.lexicalSearch('sentence', 'خطة جديدة لدعم المزارعين', 5)).toEqual(
        await local.lexicalSearch('sentence', 'خطة جديدة لدعم المزارعين', 5),
      );
      const next = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      expect(next).toMatchObject({ published: true, articles: 6, embedded: 1 });
      const { rows } = await engine.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM articles a JOIN builds b ON b.id = a.added_in WHERE b.status <> 'published'`,
      );
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('lets one builder at a time write: a second gets the lease’s holder and expiry', async () => {
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      let second: Promise<unknown> | undefined;
      await engine.build({
        corpusDir,
        embedder,
        chunking: CHUNKING,
        beforePublish: async () => {
          second = engine.build({ corpusDir, embedder, chunking: CHUNKING }).catch((e: unknown) => e);
          await second;
        },
      });
      expect(await second).toBeInstanceOf(DatabaseBuildLockedError);
      expect(String(await second)).toMatch(/Another build \(.+\) is writing to the database until/);
    } finally {
      await engine.close();
    }
  });

  it('a replica polling the current build sees a new one within seconds', async () => {
    const engine = await freshEngine();
    const replica = await PostgresEngine.connect(db.url);
    try {
      const corpusDir = copyCorpus();
      await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      let seen = 0;
      const stop = replica.watch(() => seen++, { intervalMs: 200 });
      await new Promise((r) => setTimeout(r, 500));
      writeFileSync(join(corpusDir, 'zz-watch.txt'), 'افتتح الرئيس اليوم مستشفى جديدا في العاصمة.\n');
      const added = await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      const deadline = Date.now() + 10_000;
      while (seen === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      stop();
      expect(seen).toBeGreaterThan(0);
      expect(await replica.currentVersion()).toBe(added.version);

      // A build published after the replica opened one but before it watched (while it warmed, say)
      // is news at the first poll, not only once another is published.
      await replica.open();
      writeFileSync(join(corpusDir, 'zz-watch-2.txt'), 'افتتح الوزير اليوم مدرسة جديدة في المدينة.\n');
      await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      let news = 0;
      const stopAgain = replica.watch(() => news++, { intervalMs: 200 });
      const until = Date.now() + 10_000;
      while (news === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      stopAgain();
      expect(news).toBeGreaterThan(0);
    } finally {
      await replica.close();
      await engine.close();
    }
  });

  it('refuses a database whose schema is newer than the program’s, and a URL that does not work, in one line', async () => {
    await db.reset();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz)',
    );
    await client.query(`INSERT INTO schema_migrations VALUES (${SCHEMA_VERSION + 1}, 'from the future', now())`);
    await client.end();
    const newer = await PostgresEngine.connect(db.url).catch((e: unknown) => e);
    expect(newer).toBeInstanceOf(DatabaseSchemaError);
    expect(String(newer)).toMatch(/newer than this program/);

    const refused = await PostgresEngine.connect('postgres://u:s3cret-pw@127.0.0.1:1/db').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DatabaseUnavailableError);
    expect((refused as Error).message).toMatch(/nothing answers/);
    expect((refused as Error).message).not.toContain('s3cret-pw');
    expect(String(await PostgresEngine.connect('mysql://x').catch((e: unknown) => e))).toMatch(
      /not a postgres:\/\/ URL/,
    );
  });
});

describe('a builder killed with SIGKILL (a process of its own)', () => {
  it('leaves the published build answering; once its lease expires the next build deletes its rows', async () => {
    const tiny = await tinyEmbedder();
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      const published = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      writeFileSync(
        join(corpusDir, 'zz-killed.txt'),
        'أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية.\n',
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/helpers/pg-build-child.ts'), db.url, corpusDir, '3'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d;
          if (output.includes('WRITTEN')) resolve();
        });
        child.stderr.on('data', (d: Buffer) => {
          output += d;
        });
        child.on('exit', (code) => reject(new Error(`the builder exited (${code}) before writing: ${output}`)));
      });
      child.kill('SIGKILL');
      const index = await engine.open();
      expect(index.version).toBe(published.version);
      expect(index.sentenceCount).toBe(published.sentences);
      const { rows } = await engine.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM articles WHERE added_in > $1`,
        [Number(published.version.slice(3))],
      );
      expect(Number(rows[0].n)).toBe(1);
      // Its lease (3 s) still runs: a build now is refused; after it, the next build cleans up and publishes.
      await expect(engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING })).rejects.toBeInstanceOf(
        DatabaseBuildLockedError,
      );
      await new Promise((r) => setTimeout(r, 3500));
      const next = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      expect(next).toMatchObject({ published: true, articles: 6, embedded: 1 });
      const statuses = await engine.pool.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM builds GROUP BY status ORDER BY status',
      );
      expect(statuses.rows).toEqual([
        { status: 'abandoned', n: '1' },
        { status: 'published', n: '2' },
      ]);
      const leftovers = await engine.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM articles a JOIN builds b ON b.id = a.added_in WHERE b.status = 'abandoned'`,
      );
      expect(Number(leftovers.rows[0].n)).toBe(0);
    } finally {
      await engine.close();
    }
  });
});

describe('the database as the archive of record', () => {
  it('keeps an article an editor sent through the next build of the corpus folder, and removes it when asked', async () => {
    const tiny = await tinyEmbedder();
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      const bytes = Buffer.from(
        '---\ntitle: مستشفى جديد\nsource: وكالة\ndate: 2024-05-01\n---\nافتتح الرئيس اليوم مستشفى جديدا في العاصمة.\n',
      );
      const added = await engine.build({
        embedder: tiny,
        chunking: CHUNKING,
        add: [{ id: 'hospital', file: 'hospital.md', bytes }],
      });
      expect(added).toMatchObject({ published: true, articles: 6, embedded: 1 });
      await expect(
        engine.build({ embedder: tiny, chunking: CHUNKING, add: [{ id: 'hospital', file: 'hospital.md', bytes }] }),
      ).rejects.toBeInstanceOf(ArticleExistsError);
      // npm run index from a folder that never had it: it stays.
      const rebuilt = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      expect(rebuilt).toMatchObject({ published: false, articles: 6 });
      const full = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING, full: true });
      expect(full).toMatchObject({ published: true, articles: 6, embedded: 6 });
      const index = await engine.open();
      expect(await index.articleMetas(['hospital'])).toEqual([
        { id: 'hospital', title: 'مستشفى جديد', outlet: 'وكالة', date: '2024-05-01' },
      ]);
      await expect(
        engine.build({ embedder: tiny, chunking: CHUNKING, remove: ['nothing-here'] }),
      ).rejects.toBeInstanceOf(ArticleNotFoundError);
      const removed = await engine.build({ embedder: tiny, chunking: CHUNKING, remove: ['hospital'] });
      expect(removed).toMatchObject({ published: true, articles: 5, removed: 1 });
      expect(await (await engine.open()).article('hospital')).toBeUndefined();
      // Each build kept its terms' statistics from the one before (added, removed, a full rebuild):
      // the counts are the postings' own, and the tf and length bounds hold.
      const build = await engine.pool.query<{ id: string }>('SELECT build_id AS id FROM current_build');
      const { rows } = await engine.pool.query(
        `WITH counted AS (SELECT kind, term, count(*)::int AS documents, max(tf) AS tf, min(length) AS length
                            FROM postings WHERE ${VISIBLE} GROUP BY kind, term),
              kept AS (SELECT * FROM term_stats WHERE ${VISIBLE})
         SELECT * FROM counted c FULL JOIN kept k USING (kind, term)
          WHERE k.documents IS DISTINCT FROM c.documents OR k.max_tf < c.tf OR k.min_length > c.length`,
        [build.rows[0].id],
      );
      expect(rows).toEqual([]);
      const terms = await engine.pool.query('SELECT count(*)::int AS n FROM term_stats');
      expect(terms.rows[0].n).toBeGreaterThan(500);
    } finally {
      await engine.close();
    }
  });
});

describe('articles from the web in the database (DatabaseArticleStore)', () => {
  it('are found again by address or text, published by the next build of any kind, updated in place, kept by a full build', async () => {
    const tiny = await tinyEmbedder();
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      const store = articleStoreFor(engine, { corpusDir: join(corpusDir, 'never-written'), maxBytes: 1 << 20 });
      expect(store).toBeInstanceOf(DatabaseArticleStore);
      const page = {
        title: 'مستشفى جديد',
        outlet: 'وكالة',
        date: '2024-05-01',
        url: 'https://news.example/a/hospital',
        from: 'https://news.example/a/hospital?utm_source=rss',
        paragraphs: ['افتتح الرئيس اليوم مستشفى جديدا في العاصمة بسعة مئتي سرير.'],
      };
      const first = await store.put(page);
      expect(first.status).toBe('added');
      // Stored for the next build: found by its address (tracking parameters aside) and by its text.
      expect(await store.idOf('https://news.example/a/hospital?utm_medium=feed')).toBe(first.id);
      expect(await store.put({ ...page, from: 'again' })).toEqual({ status: 'unchanged', id: first.id });
      expect(await store.put({ ...page, url: undefined, from: 'a mirror' })).toEqual({
        status: 'unchanged',
        id: first.id,
      });
      // npm run index publishes it (a build of any kind takes the stored articles).
      const built = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      expect(built).toMatchObject({ published: true, articles: 6, embedded: 1 });
      expect(await (await engine.open()).articleMetas([first.id])).toEqual([
        { id: first.id, title: page.title, outlet: page.outlet, date: page.date, url: page.url },
      ]);
      // The page changed: the same id, updated in place by one build.
      const edited = ['افتتح الرئيس اليوم مستشفى جديدا في العاصمة بسعة ثلاثمئة سرير.'];
      expect(await store.put({ ...page, paragraphs: edited })).toEqual({ status: 'updated', id: first.id });
      expect(await store.commit({ embedder: tiny, chunking: CHUNKING })).toMatchObject({
        published: true,
        articles: 6,
        embedded: 1,
      });
      const index = await engine.open();
      expect((await index.article(first.id))?.sentences).toEqual(edited);
      // Nothing stored: nothing published.
      expect(await store.commit({ embedder: tiny, chunking: CHUNKING })).toMatchObject({ published: false });
      // A corpus file's article reached on the web is left to the folder.
      const corpusText = (await index.article('002_26a9db706ec05ddb'))?.sentences ?? [];
      expect(await store.put({ ...page, url: undefined, paragraphs: [corpusText.join(' ')] })).toMatchObject({
        status: 'unchanged',
        id: '002_26a9db706ec05ddb',
      });
      // A full build keeps it, as it was last stored.
      const full = await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING, full: true });
      expect(full).toMatchObject({ published: true, articles: 6 });
      expect((await (await engine.open()).article(first.id))?.sentences).toEqual(edited);
      expect(existsSync(join(corpusDir, 'never-written'))).toBe(false);
    } finally {
      await engine.close();
    }
  });

  it('an editor’s removal takes a newer version waiting in the inbox out with it, and drops an article only stored there', async () => {
    const tiny = await tinyEmbedder();
    const engine = await freshEngine();
    const inbox = async () => (await engine.pool.query('SELECT id FROM article_inbox')).rows.map((r) => r.id);
    try {
      const corpusDir = copyCorpus();
      await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      const store = articleStoreFor(engine, { corpusDir, maxBytes: 1 << 20 });
      const page = {
        title: 'جسر جديد',
        outlet: 'وكالة',
        date: '2024-06-01',
        url: 'https://news.example/a/bridge',
        from: 'https://news.example/a/bridge',
        paragraphs: ['افتتح المحافظ اليوم جسرا جديدا فوق النهر بطول كيلومترين.'],
      };
      const { id } = await store.put(page);
      await store.commit({ embedder: tiny, chunking: CHUNKING });
      // The page changed again: its newer version waits in the inbox when an editor removes the article.
      expect(
        await store.put({ ...page, paragraphs: ['افتتح المحافظ اليوم جسرا جديدا بطول ثلاثة كيلومترات.'] }),
      ).toEqual({ status: 'updated', id });
      const removed = await engine.archive.remove(id, { embedder: tiny, chunking: CHUNKING });
      expect(removed).toMatchObject({ published: true, articles: 5 });
      expect(await (await engine.open()).article(id)).toBeUndefined();
      expect(await inbox()).toEqual([]);
      // The next build does not bring it back.
      expect(await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING })).toMatchObject({ published: false });
      expect(await (await engine.open()).article(id)).toBeUndefined();
      // An article only stored, not yet published: removing it drops it from the inbox, nothing published.
      const other = await store.put({ ...page, url: 'https://news.example/a/tunnel', paragraphs: ['افتتح نفق جديد.'] });
      expect(await inbox()).toEqual([other.id]);
      expect(await engine.archive.remove(other.id, { embedder: tiny, chunking: CHUNKING })).toMatchObject({
        published: false,
        articles: 5,
      });
      expect(await inbox()).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('fills in the address key and text hash of articles written before migration 2, at the next build', async () => {
    const tiny = await tinyEmbedder();
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      writeFileSync(
        join(corpusDir, 'with-url.md'),
        '---\ntitle: "خبر"\nurl: "https://News.example/a/1?utm_source=rss"\n---\nافتتح المحافظ اليوم جسرا جديدا.\n',
      );
      await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING });
      const identities = async () =>
        (await engine.pool.query('SELECT id, url_key, text_hash FROM articles ORDER BY id')).rows;
      const written = await identities();
      expect(written.every((r) => /^[0-9a-f]{64}$/.test(r.text_hash))).toBe(true);
      // As a database of an earlier version left them.
      await engine.pool.query('UPDATE articles SET url_key = NULL, text_hash = NULL');
      expect(await engine.archive?.find({ urlKey: 'https://news.example/a/1' })).toBeUndefined();
      expect(await engine.build({ corpusDir, embedder: tiny, chunking: CHUNKING })).toMatchObject({ published: false });
      expect(await identities()).toEqual(written);
      expect(await engine.archive?.find({ urlKey: 'https://news.example/a/1' })).toMatchObject({ id: 'with-url' });
      expect(await engine.archive?.find({ textHash: written[0].text_hash })).toMatchObject({ id: written[0].id });
    } finally {
      await engine.close();
    }
  });

  it('upgrades a database of schema 5 to one vector per distinct text: the same keys, rows and hits as a build writes', async () => {
    const engine = await freshEngine();
    try {
      const corpusDir = copyCorpus();
      // A copy of an article under another name: every one of its passages' texts twice.
      writeFileSync(join(corpusDir, 'zz-copy.txt'), readFileSync(join(corpusDir, '000_a15eb1be77281f63.txt')));
      await engine.build({ corpusDir, embedder, chunking: CHUNKING });
      const state = async (pool: pg.Pool) => ({
        keys: (
          await pool.query(
            'SELECT id, text_key FROM sentences UNION ALL SELECT -1 - id, text_key FROM chunks ORDER BY 1',
          )
        ).rows,
        vectors: (
          await pool.query(
            `SELECT 's' AS kind, key, embedding::text, added_in, removed_in FROM sentence_vectors
             UNION ALL SELECT 'c', key, embedding::text, added_in, removed_in FROM chunk_vectors ORDER BY 1, 2`,
          )
        ).rows,
      });
      const built = await state(engine.pool);
      const index = await engine.open();
      const hits = await Promise.all(
        questions.map(async (q) => index.denseSearch('sentence', await embedder.embedQuery(q), 20)),
      );
      await index.close();
      // As a database of schema 5 was: no keys, no vector tables, HNSW on the passages.
      await engine.pool.query(`
        DROP TABLE sentence_vectors; DROP TABLE chunk_vectors;
        ALTER TABLE sentences DROP COLUMN text_key; ALTER TABLE chunks DROP COLUMN text_key;
        DROP FUNCTION dense_search; DELETE FROM schema_migrations WHERE version >= 6;`);
      await engine.close();
      const upgraded = await PostgresEngine.connect(db.url);
      try {
        const after = await state(upgraded.pool);
        expect(after.keys).toEqual(built.keys);
        expect(after.vectors).toEqual(built.vectors);
        expect(built.vectors.length).toBeLessThan(built.keys.length);
        const reopened = await upgraded.open();
        for (const [i, q] of questions.entries())
          expect(await reopened.denseSearch('sentence', await embedder.embedQuery(q), 20)).toEqual(hits[i]);
        await reopened.close();
      } finally {
        await upgraded.close();
      }
    } finally {
      await engine.close().catch(() => undefined);
    }
  });

  it('gives a named lease to one holder at a time, until it expires unrenewed', async () => {
    const engine = await freshEngine();
    try {
      const a = engine.archive.lease('feed-poller', 'a', 400);
      const b = engine.archive.lease('feed-poller', 'b', 400);
      expect(await a.take()).toBe(true);
      expect(await b.take()).toBe(false);
      expect(await a.take()).toBe(true); // renewed
      await new Promise((r) => setTimeout(r, 600));
      expect(await b.take()).toBe(true); // a stopped renewing
      expect(await a.take()).toBe(false);
      await b.release();
      expect(await a.take()).toBe(true);
    } finally {
      await engine.close();
    }
  });
});

describe('a PostgreSQL without pgvector', () => {
  let bare: TestPostgres;
  beforeAll(async () => {
    bare = await startPostgres({ vector: false });
  });
  afterAll(async () => {
    await bare?.stop();
  });

  it('is refused in one line that says to install it and run CREATE EXTENSION vector', async () => {
    const refused = await PostgresEngine.connect(bare.url).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VectorExtensionError);
    expect((refused as Error).message).toMatch(/has no pgvector .*CREATE EXTENSION vector/);
    expect((refused as Error).message).not.toContain('\n');
  });
});

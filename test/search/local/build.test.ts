import {
  chmodSync,
  copyFileSync,
  cpSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS } from '../../../src/answering/options.js';
import { analyseQuestion } from '../../../src/answering/question.js';
import { retrieve } from '../../../src/answering/retrieve.js';
import type { Embedder } from '../../../src/embedding/embedder.js';
import { buildIndex, IndexWriteError } from '../../../src/search/local/build.js';
import { type LocalIndex, openIndex } from '../../../src/search/local/local-index.js';
import { CURRENT_FILE, currentBuildDir } from '../../../src/search/local/location.js';
import { PartSources } from '../../../src/search/local/sources.js';
import { FORMAT_VERSION } from '../../../src/search/local/store.js';
import type { ChunkSpan, PassageHit } from '../../../src/search/search-index.js';
import { CHUNKING, copyCorpus, tempDir, tinyEmbedder } from '../../helpers/fixtures.js';
import { CORPUS_DIR } from '../../helpers/paths.js';

async function build(corpusDir: string, indexDir: string, embedder?: Embedder, full = false) {
  return buildIndex({ corpusDir, indexDir, embedder: embedder ?? (await tinyEmbedder()), chunking: CHUNKING, full });
}

/** The tiny model under another name: what switching EMBEDDING_MODEL looks like to the index. */
async function renamed(modelId: string): Promise<Embedder> {
  const tiny = await tinyEmbedder();
  return {
    modelId,
    dimension: tiny.dimension,
    languages: tiny.languages,
    embedPassages: (t, cb) => tiny.embedPassages(t, cb),
    embedQuery: (q) => tiny.embedQuery(q),
  };
}

/** The ids of an index's articles, in order. */
async function ids(index: LocalIndex): Promise<string[]> {
  return (await index.articles({ offset: 0, limit: 1000 })).items.map((a) => a.id);
}

/** Every sentence of an index. */
async function texts(index: LocalIndex): Promise<string[]> {
  const articles = await Promise.all((await ids(index)).map((id) => index.article(id)));
  return articles.flatMap((a) => a?.sentences ?? []);
}

describe('buildIndex', () => {
  it('stores sentences, chunks, vectors, both HNSW graphs and a manifest', async () => {
    const indexDir = join(tempDir('build'), 'embeddings');
    const report = await build(CORPUS_DIR, indexDir);
    expect(report).toMatchObject({ articles: 5, embedded: 5, reused: 0 });
    const index = await openIndex(indexDir);
    expect(index.manifest).toMatchObject({
      formatVersion: FORMAT_VERSION,
      model: 'local/tiny-arabic',
      dimension: 48,
      space: 'cosine',
      counts: { articles: 5, sentences: report.sentences, chunks: report.chunks },
    });
    const sources = await PartSources.read(index.dir, 'base');
    expect(sources.ids).toHaveLength(5);
    expect(sources.ids.map((id) => sources.stamp(`${id}.txt`))).toEqual(
      sources.ids.map((id) => [statSync(join(CORPUS_DIR, `${id}.txt`)).size, expect.any(Number)]),
    );
    expect(index.sentenceCount).toBe(report.sentences);
    expect(await index.denseSearch('sentence', new Float32Array(48).fill(1 / Math.sqrt(48)), 1000)).toHaveLength(
      report.sentences,
    );
    expect(await index.denseSearch('chunk', new Float32Array(48).fill(1 / Math.sqrt(48)), 1000)).toHaveLength(
      report.chunks,
    );
    expect((await index.articles({ offset: 3, limit: 1 })).items[0]).toMatchObject({
      id: '003_70567a16c9b3e8e4',
      outlet: 'دار الهلال',
      date: '2021-07-16',
    });
  });

  it('rebuilds incrementally: nothing changed embeds nothing; a new article embeds only it; a removed one disappears', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('incremental'), 'embeddings');
    await build(corpus, indexDir);

    expect(await build(corpus, indexDir)).toMatchObject({ articles: 5, embedded: 0, reused: 5, passagesEmbedded: 0 });

    writeFileSync(
      join(corpus, '005_new.txt'),
      'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة. وأضاف أن الوفد سيعود غدا.\n',
    );
    const added = await build(corpus, indexDir);
    expect(added).toMatchObject({ articles: 6, embedded: 1, reused: 5 });
    expect(added.passagesEmbedded).toBeLessThan(5);

    writeFileSync(join(corpus, '001_affb6d0cda8cf843.txt'), 'نص معدل للخبر. وجملة أخرى.\n');
    expect(await build(corpus, indexDir)).toMatchObject({ embedded: 1, reused: 5 });

    rmSync(join(corpus, '002_26a9db706ec05ddb.txt'));
    const removed = await build(corpus, indexDir);
    expect(removed).toMatchObject({ articles: 5, embedded: 0, reused: 5, removed: 1 });
    const index = await openIndex(indexDir);
    expect(await ids(index)).not.toContain('002_26a9db706ec05ddb');
    expect((await texts(index)).some((t) => t.includes('بيسكوف'))).toBe(false);
  });

  it('updates the search indexes in place: an incremental build answers like a full one', async () => {
    const corpus = copyCorpus();
    const incremental = join(tempDir('inplace'), 'embeddings');
    await build(corpus, incremental);
    rmSync(join(corpus, '002_26a9db706ec05ddb.txt'));
    writeFileSync(
      join(corpus, '001_affb6d0cda8cf843.txt'),
      'قال بوتين إن التجارة مع الصين بلغت مستوى قياسيا هذا العام. وأضاف أن الطاقة في مقدمة التعاون.\n',
    );
    writeFileSync(
      join(corpus, '006_new.txt'),
      'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة. وأضاف أن الوفد سيعود غدا.\n',
    );
    await build(corpus, incremental);
    const full = join(tempDir('inplace'), 'embeddings');
    await build(corpus, full, undefined, true);

    const a = await openIndex(incremental);
    const b = await openIndex(full);
    expect(await ids(a)).toEqual(await ids(b));
    // The removed article's passages are gone from BM25 and HNSW, not just from the store.
    expect(await a.lexicalSearch('sentence', 'بيسكوف', 10)).toEqual([]);
    expect(a.sentenceCount).toBe(b.sentenceCount);
    const everything = new Float32Array(48).fill(1 / Math.sqrt(48));
    expect(await a.denseSearch('sentence', everything, 1000)).toHaveLength(b.sentenceCount);
    const embedder = await tinyEmbedder();
    for (const q of ['ماذا قال الكرملين عن المحادثات؟', 'كم بلغت التجارة مع الصين؟', 'ماذا قال شي عن اللقاحات؟']) {
      const question = analyseQuestion(q, await embedder.embedQuery(q));
      const top = async (index: LocalIndex) => {
        const candidates = await retrieve(index, question, DEFAULT_ANSWER_OPTIONS.fusion);
        return (await index.sentences(candidates.slice(0, 3).map((c) => c.id))).map((s) => s?.text);
      };
      expect(await top(a), q).toEqual(await top(b));
    }
  });

  it('writes the same files when both kinds are indexed in worker threads, fully and incrementally', async () => {
    const corpus = copyCorpus();
    const embedder = await tinyEmbedder();
    const inline = join(tempDir('threads'), 'embeddings');
    const threaded = join(tempDir('threads'), 'embeddings');
    const run = (indexDir: string, parallelFrom: number) =>
      buildIndex({ corpusDir: corpus, indexDir, embedder, chunking: CHUNKING, parallelFrom });
    const files = async (indexDir: string) => {
      const dir = (await currentBuildDir(indexDir)) as string;
      return Object.fromEntries(
        readdirSync(dir)
          .filter((f) => f !== 'manifest.json')
          .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
      );
    };
    const report = await run(threaded, 0);
    await run(inline, Number.POSITIVE_INFINITY);
    expect(Object.keys(await files(threaded)).sort()).toEqual(Object.keys(await files(inline)).sort());
    expect(await files(threaded)).toEqual(await files(inline));
    expect(report.phases.sentences.hnsw).toBeGreaterThan(0);
    expect(report.phases.chunks.lexical).toBeGreaterThan(0);

    writeFileSync(join(corpus, '006_new.txt'), 'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة.\n');
    rmSync(join(corpus, '002_26a9db706ec05ddb.txt'));
    expect((await run(threaded, 0)).embedded).toBe(1);
    await run(inline, Number.POSITIVE_INFINITY);
    expect(await files(threaded)).toEqual(await files(inline));
  });

  it('reuses vectors exactly as they were stored', async () => {
    const indexDir = join(tempDir('reuse'), 'embeddings');
    await build(CORPUS_DIR, indexDir);
    const before = readFileSync(join((await currentBuildDir(indexDir)) as string, 'sentence-vectors.f32'));
    await build(CORPUS_DIR, indexDir);
    expect(readFileSync(join((await currentBuildDir(indexDir)) as string, 'sentence-vectors.f32'))).toEqual(before);
  });

  it('embeds everything again for another model or with --full', async () => {
    const indexDir = join(tempDir('model'), 'embeddings');
    await build(CORPUS_DIR, indexDir);
    expect(await build(CORPUS_DIR, indexDir, await renamed('local/other-model'))).toMatchObject({
      embedded: 5,
      reused: 0,
    });
    expect((await openIndex(indexDir)).model).toBe('local/other-model');
    expect(await build(CORPUS_DIR, indexDir, await renamed('local/other-model'), true)).toMatchObject({
      embedded: 5,
      reused: 0,
    });
  });

  it('leaves the previous index live and no debris when a build fails midway', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('atomic'), 'embeddings');
    await build(corpus, indexDir);
    const live = await currentBuildDir(indexDir);
    const pointer = readFileSync(join(indexDir, CURRENT_FILE), 'utf8');

    writeFileSync(join(corpus, '005_new.txt'), 'خبر جديد للاختبار. وجملة ثانية فيه.\n');
    const tiny = await tinyEmbedder();
    const failing: Embedder = {
      ...tiny,
      modelId: tiny.modelId,
      dimension: tiny.dimension,
      embedQuery: (q) => tiny.embedQuery(q),
      embedPassages: async () => {
        throw new Error('disk full');
      },
    };
    await expect(build(corpus, indexDir, failing)).rejects.toThrow('disk full');

    expect(readFileSync(join(indexDir, CURRENT_FILE), 'utf8')).toBe(pointer);
    expect(await currentBuildDir(indexDir)).toBe(live);
    expect(await ids(await openIndex(indexDir))).toHaveLength(5);
    expect(readdirSync(indexDir).filter((f) => f.startsWith('build-'))).toHaveLength(1);
  });

  it('keeps only the live build and the one before it', async () => {
    const indexDir = join(tempDir('gc'), 'embeddings');
    for (let i = 0; i < 4; i++) await build(CORPUS_DIR, indexDir);
    expect(readdirSync(indexDir).filter((f) => f.startsWith('build-'))).toHaveLength(2);
  });

  it('fails clearly when the output folder cannot be written', async () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: make the "folder" a file instead.
      const parent = tempDir('unwritable');
      writeFileSync(join(parent, 'file'), 'x');
      await expect(build(CORPUS_DIR, join(parent, 'file', 'embeddings'))).rejects.toThrow(IndexWriteError);
      return;
    }
    const parent = tempDir('unwritable');
    chmodSync(parent, 0o500);
    await expect(build(CORPUS_DIR, join(parent, 'embeddings'))).rejects.toThrow(IndexWriteError);
  });

  it('indexes a corpus copied elsewhere identically (paths do not leak into the index)', async () => {
    const a = join(tempDir('same'), 'embeddings');
    const other = join(tempDir('copy'), 'corpus');
    cpSync(CORPUS_DIR, other, { recursive: true });
    const b = join(tempDir('same'), 'embeddings');
    await build(CORPUS_DIR, a);
    await build(other, b);
    const [first, second] = [await openIndex(a), await openIndex(b)];
    const articles = async (index: LocalIndex) => Promise.all((await ids(index)).map((id) => index.article(id)));
    expect(await articles(first)).toEqual(await articles(second));
  });
});

describe('buildIndex: articles added in a delta beside the base', () => {
  const NEW = {
    '006_new.txt': 'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة. وأضاف أن الوفد سيعود غدا.\n',
    '007_new.txt': 'بكين 3 مارس 2022 (شينخوا) قالت الصين إن التجارة مع روسيا نمت. وأضافت أن الطاقة في المقدمة.\n',
  };
  const QUESTIONS = [
    'ماذا قال الكرملين عن المحادثات؟',
    'كم بلغت التجارة مع الصين؟',
    'ماذا قال شي عن اللقاحات؟',
    'بيسكوف أفغانستان',
  ];
  /** Up to here the delta may grow: every test corpus is small. */
  const deltas = { maxDeltaShare: 1 };
  const run = async (
    corpusDir: string,
    indexDir: string,
    options: { full?: boolean; maxDeltaShare?: number; maxPending?: number; allowShrink?: boolean } = {},
  ) => buildIndex({ corpusDir, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING, ...options });

  /** The ids each graph returns when asked for every passage: all of them, once the pending ones are added. */
  async function graphIds(index: LocalIndex) {
    const vector = await (await tinyEmbedder()).embedQuery('الصين');
    const all = async (kind: 'sentence' | 'chunk', n: number) =>
      (await index.denseSearch(kind, vector, n)).map((h) => h.id).sort((a, b) => a - b);
    return {
      sentences: await all('sentence', index.sentenceCount),
      chunks: await all('chunk', index.manifest.counts.chunks),
    };
  }
  const everyId = (index: LocalIndex) => ({
    sentences: Array.from({ length: index.sentenceCount }, (_, i) => i),
    chunks: Array.from({ length: index.manifest.counts.chunks }, (_, i) => i),
  });

  /** What an index answers, searched every way: BM25 (scores to the bit), HNSW, and the retrieval's top 3. */
  async function answers(index: LocalIndex) {
    const embedder = await tinyEmbedder();
    const out = [];
    for (const q of QUESTIONS) {
      const vector = await embedder.embedQuery(q);
      const question = analyseQuestion(q, vector);
      const textsOf = async (ids: number[]) => (await index.sentences(ids)).map((s) => s?.text);
      const lexical = await index.lexicalSearch('sentence', q, 20);
      const lexicalTexts = await textsOf(lexical.map((h) => h.id));
      const chunks = await index.lexicalSearch('chunk', q, 20);
      const spans = await index.chunks(chunks.map((h) => h.id));
      const candidates = await retrieve(index, question, DEFAULT_ANSWER_OPTIONS.fusion);
      out.push({
        q,
        lexical: lexical.map((h, i) => [lexicalTexts[i], h.score]),
        chunks: chunks.map((h, i) => [spans[i], h.score]),
        dense: await textsOf((await index.denseSearch('sentence', vector, 5)).map((h) => h.id)),
        top: await textsOf(candidates.slice(0, 3).map((c) => c.id)),
      });
    }
    return out;
  }

  async function fullBuildOf(corpus: string): Promise<LocalIndex> {
    const indexDir = join(tempDir('delta-full'), 'embeddings');
    await run(corpus, indexDir, { full: true });
    return openIndex(indexDir);
  }

  it('writes only the new articles, hard-links the rest of the base and the graphs, adds the new passages to the graphs at open, and answers exactly like a full build', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('delta'), 'embeddings');
    await run(corpus, indexDir);
    const baseDir = (await currentBuildDir(indexDir)) as string;
    const SHARED_FILES = [
      'articles.utf16.json',
      'sentences.lexical',
      'chunks.lexical',
      'sentence-vectors.f32',
      'sources.json',
      'sentences.hnsw',
      'chunks.hnsw',
    ];
    const inodes = SHARED_FILES.map((file) => statSync(join(baseDir, file)).ino);

    writeFileSync(join(corpus, '006_new.txt'), NEW['006_new.txt']);
    expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', articles: 6, embedded: 1 });
    writeFileSync(join(corpus, '007_new.txt'), NEW['007_new.txt']);
    const second = await run(corpus, indexDir, deltas);
    expect(second).toMatchObject({ part: 'delta', articles: 7, embedded: 1 });

    const dir = (await currentBuildDir(indexDir)) as string;
    const index = await openIndex(indexDir);
    const { delta, pending } = index.manifest;
    expect(delta).toMatchObject({ articles: 2 });
    expect(index.manifest.counts.articles).toBe(7);
    // The base's files and the graphs are the first build's, not copies; the graph files lack both new articles' passages…
    expect(SHARED_FILES.map((file) => statSync(join(dir, file)).ino)).toEqual(inodes);
    expect(pending).toEqual({ from: expect.any(Number), sentences: delta?.sentences, chunks: delta?.chunks });
    expect(second.pending).toBe((delta?.sentences ?? 0) + (delta?.chunks ?? 0));
    // …which opening added: each graph returns every passage.
    expect(await graphIds(index)).toEqual(everyId(index));
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('delta.'))
        .sort(),
    ).toEqual([
      'delta.articles.utf16.json',
      'delta.chunk-keys.f64',
      'delta.chunk-vectors.f32',
      'delta.chunks.lexical',
      'delta.sentence-keys.f64',
      'delta.sentence-vectors.f32',
      'delta.sentences.lexical',
      'delta.sources.json',
    ]);
    expect(
      JSON.parse(readFileSync(join(dir, 'delta.articles.utf16.json'), 'utf16le')).map((a: { id: string }) => a.id),
    ).toEqual(['006_new', '007_new']);

    const full = await fullBuildOf(corpus);
    expect(await ids(index)).toEqual(await ids(full));
    expect(await texts(index)).toEqual(await texts(full));
    expect(await answers(index)).toEqual(await answers(full));
    expect(await index.documentFrequencies(['الصين', 'الكرملين'])).toEqual(
      await full.documentFrequencies(['الصين', 'الكرملين']),
    );
  });

  it('answers exactly like a full build when a new article’s file sorts before the base’s (equal scores and the BM25 average follow the files)', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('delta-first'), 'embeddings');
    await run(corpus, indexDir);
    // A copy of a base article (every passage ties with the original's) and a new one, both sorting first.
    copyFileSync(join(corpus, '001_affb6d0cda8cf843.txt'), join(corpus, '0000_copy.txt'));
    writeFileSync(join(corpus, '0001_new.txt'), NEW['007_new.txt']);
    expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', embedded: 2 });
    const index = await openIndex(indexDir);
    const full = await fullBuildOf(corpus);
    // The ids differ (the delta's come after the base's): compared by article and text, scores to the bit.
    const embedder = await tinyEmbedder();
    const seen = async (i: LocalIndex) => {
      const out = [];
      for (const q of [...QUESTIONS, 'الصين روسيا التجارة']) {
        const vector = await embedder.embedQuery(q);
        const sentence = async (ids: number[]) =>
          (await i.sentences(ids)).map((s) => `${s?.articleId}#${s?.position}: ${s?.text}`);
        const hits = async (found: PassageHit[], spans?: ChunkSpan[]) => {
          const firsts = await sentence(spans ? spans.map((c) => c.first) : found.map((h) => h.id));
          return found.map((h, n) => [firsts[n], h.score]);
        };
        const chunks = await i.lexicalSearch('chunk', q, 30);
        const candidates = await retrieve(i, analyseQuestion(q, vector), DEFAULT_ANSWER_OPTIONS.fusion);
        out.push({
          lexical: await hits(await i.lexicalSearch('sentence', q, 30)),
          chunks: await hits(chunks, await i.chunks(chunks.map((h) => h.id))),
          dense: await hits(await i.denseSearch('sentence', vector, 10)),
          top: await sentence(candidates.slice(0, 5).map((c) => c.id)),
        });
      }
      return out;
    };
    expect(await seen(index)).toEqual(await seen(full));
  });

  it('opens a build whose new passages wait to be added to the graphs as it opens one whose graphs were written with them', async () => {
    const corpus = copyCorpus();
    const [waiting, written] = [join(tempDir('pending'), 'embeddings'), join(tempDir('written'), 'embeddings')];
    await run(corpus, waiting);
    await run(corpus, written);
    for (const name of ['006_new.txt', '007_new.txt'] as const) {
      writeFileSync(join(corpus, name), NEW[name]);
      expect(await run(corpus, waiting, deltas)).toMatchObject({ part: 'delta', pending: expect.any(Number) });
      // No passage may wait: the graphs are read, added to and written.
      expect(await run(corpus, written, { ...deltas, maxPending: 0 })).toMatchObject({ part: 'delta', pending: 0 });
    }
    const [a, b] = [await openIndex(waiting), await openIndex(written)];
    expect(a.manifest.pending).toBeDefined();
    expect(b.manifest.pending).toBeUndefined();
    // The same graph either way: every dense hit and score, to the bit.
    const embedder = await tinyEmbedder();
    for (const q of QUESTIONS) {
      const vector = await embedder.embedQuery(q);
      for (const kind of ['sentence', 'chunk'] as const) {
        expect(await a.denseSearch(kind, vector, 30)).toEqual(await b.denseSearch(kind, vector, 30));
      }
    }
    expect(await answers(a)).toEqual(await answers(b));
    // Past the limit, the next delta build writes the graphs with every waiting passage.
    writeFileSync(join(corpus, '008_new.txt'), NEW['006_new.txt'].replace('الكرملين', 'البيت الأبيض'));
    const flushed = await run(corpus, waiting, { ...deltas, maxPending: 1 });
    expect(flushed).toMatchObject({ part: 'delta', pending: 0 });
    const after = await openIndex(waiting);
    expect(after.manifest.pending).toBeUndefined();
    expect(await graphIds(after)).toEqual(everyId(after));
    expect(await answers(after)).toEqual(await answers(await fullBuildOf(corpus)));
  });

  it('writes the whole build again when a base article changes or goes, or the delta would outgrow its share', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('delta-merge'), 'embeddings');
    await run(corpus, indexDir);
    writeFileSync(join(corpus, '006_new.txt'), NEW['006_new.txt']);
    // By default the delta holds at most a tenth of the base: one article beside five is too many.
    expect(await run(corpus, indexDir)).toMatchObject({ part: 'base', embedded: 1 });

    writeFileSync(join(corpus, '007_new.txt'), NEW['007_new.txt']);
    expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', embedded: 1 });
    writeFileSync(
      join(corpus, '001_affb6d0cda8cf843.txt'),
      'قال بوتين إن التجارة مع الصين بلغت مستوى قياسيا هذا العام. وأضاف أن الطاقة في مقدمة التعاون.\n',
    );
    rmSync(join(corpus, '002_26a9db706ec05ddb.txt'));
    const merged = await run(corpus, indexDir, deltas);
    expect(merged).toMatchObject({ part: 'base', articles: 6, embedded: 1, reused: 5, removed: 2 });
    const index = await openIndex(indexDir);
    expect(index.manifest.delta).toBeUndefined();
    expect(index.manifest.pending).toBeUndefined();
    // The delta's passages that were waiting are in the graphs written.
    expect(await graphIds(index)).toEqual(everyId(index));
    expect(readdirSync((await currentBuildDir(indexDir)) as string).filter((f) => f.startsWith('delta.'))).toEqual([]);
    expect(await answers(index)).toEqual(await answers(await fullBuildOf(corpus)));
  });

  it.each([
    ['waiting to be added to the graphs', Number.POSITIVE_INFINITY],
    ['in the graph files', 0],
  ])(
    'drops a delta article that changed or went, its passages %s, without touching the base',
    async (_, maxPending) => {
      const corpus = copyCorpus();
      const indexDir = join(tempDir('delta-drop'), 'embeddings');
      await run(corpus, indexDir);
      writeFileSync(join(corpus, '006_new.txt'), NEW['006_new.txt']);
      writeFileSync(join(corpus, '007_new.txt'), NEW['007_new.txt']);
      await run(corpus, indexDir, { ...deltas, maxPending });
      writeFileSync(join(corpus, '007_new.txt'), NEW['007_new.txt'].replace('الطاقة', 'الزراعة'));
      expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', embedded: 1, removed: 1 });
      const changed = await openIndex(indexDir);
      expect(await graphIds(changed)).toEqual(everyId(changed));
      expect(await answers(changed)).toEqual(await answers(await fullBuildOf(corpus)));
      rmSync(join(corpus, '006_new.txt'));
      rmSync(join(corpus, '007_new.txt'));
      expect(await run(corpus, indexDir, deltas)).toMatchObject({ articles: 5, embedded: 0, removed: 2 });
      const index = await openIndex(indexDir);
      expect(await ids(index)).toEqual(await ids(await fullBuildOf(corpus)));
      expect(await answers(index)).toEqual(await answers(await fullBuildOf(corpus)));
    },
  );

  it('takes a file with the size and modification time it had as unchanged, without reading it', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('stamps'), 'embeddings');
    const file = join(corpus, '001_affb6d0cda8cf843.txt');
    const original = readFileSync(file);
    // A whole second, so that putting the time back gives exactly the same stamp.
    const [atime, mtime] = [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z')];
    utimesSync(file, atime, mtime);
    await run(corpus, indexDir);
    // Other bytes of the same length, its time put back: a build that read the file would see the change.
    writeFileSync(file, Buffer.from(original.toString('latin1').split('').reverse().join(''), 'latin1'));
    utimesSync(file, atime, mtime);
    expect(await run(corpus, indexDir)).toMatchObject({ articles: 5, embedded: 0, skipped: [] });
    writeFileSync(file, original);
    utimesSync(file, atime, mtime);
    // Touched (same bytes, new time): read, found unchanged by its hash, and its new stamp kept.
    utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    expect(await run(corpus, indexDir)).toMatchObject({ embedded: 0 });
    const index = await openIndex(indexDir);
    // Kept by the delta written beside the base (the base's sources are linked as they were).
    const sources = await PartSources.read(index.dir, 'delta');
    expect(sources.stamp('001_affb6d0cda8cf843.txt')).toEqual([statSync(file).size, statSync(file).mtimeMs]);
    // …so the next build does not read it: other bytes under that new stamp go unnoticed.
    const touched = statSync(file).mtime;
    writeFileSync(file, Buffer.from(original.toString('latin1').split('').reverse().join(''), 'latin1'));
    utimesSync(file, atime, touched);
    expect(await run(corpus, indexDir)).toMatchObject({ embedded: 0, skipped: [] });
    writeFileSync(file, original);
    utimesSync(file, atime, touched);
    // Changed: a new stamp, new content, embedded again.
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nوأضاف المتحدث أن اللقاء كان مثمرا.\n`);
    expect(await run(corpus, indexDir)).toMatchObject({ embedded: 1 });
    // A delta's own article touched: its row carries the new stamp, once.
    const added = join(corpus, '006_new.txt');
    writeFileSync(added, NEW['006_new.txt']);
    expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', embedded: 1 });
    utimesSync(added, atime, new Date(mtime.getTime() + 9000));
    expect(await run(corpus, indexDir, deltas)).toMatchObject({ part: 'delta', embedded: 0 });
    const delta = await PartSources.read((await openIndex(indexDir)).dir, 'delta');
    expect(delta.ids).toEqual(['006_new']);
    expect(delta.stamp('006_new.txt')).toEqual([statSync(added).size, statSync(added).mtimeMs]);
  });

  it('takes the base over from the index in use when the next build shares its files, and answers as if read anew', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('delta-reuse'), 'embeddings');
    await run(corpus, indexDir);
    const before = await openIndex(indexDir);
    writeFileSync(join(corpus, '006_new.txt'), NEW['006_new.txt']);
    await run(corpus, indexDir, deltas);
    const beforeAnswers = await answers(before);
    const reloaded = await openIndex(indexDir, { reuse: before });
    const fresh = await openIndex(indexDir);
    expect(await answers(reloaded)).toEqual(await answers(fresh));
    expect(await ids(reloaded)).toEqual(await ids(fresh));
    // The loaded base (articles, BM25) and the graphs are the same objects, not read again; a plain open reads them.
    const base = (index: LocalIndex) => (Reflect.get(index, 'parts') as unknown[])[0];
    const graphs = (index: LocalIndex) => (Reflect.get(index, 'loadedGraphs') as { graphs: unknown }).graphs;
    expect(base(reloaded)).toBe(base(before));
    expect(graphs(reloaded)).toBe(graphs(before));
    expect(base(fresh)).not.toBe(base(before));
    expect(graphs(fresh)).not.toBe(graphs(before));
    // The index still in use while the new one opened finds none of the passages added to the graphs it shares.
    expect(await answers(before)).toEqual(beforeAnswers);
    // A second delta build: taken over again, the graphs equal a fresh open's.
    writeFileSync(join(corpus, '007_new.txt'), NEW['007_new.txt']);
    await run(corpus, indexDir, deltas);
    const again = await openIndex(indexDir, { reuse: reloaded });
    expect(graphs(again)).toBe(graphs(before));
    expect(await answers(again)).toEqual(await answers(await openIndex(indexDir)));
    // A whole build shares no file with the one before: nothing is taken over.
    writeFileSync(join(corpus, '001_affb6d0cda8cf843.txt'), NEW['007_new.txt']);
    await run(corpus, indexDir, deltas);
    const rebuilt = await openIndex(indexDir, { reuse: reloaded });
    expect(base(rebuilt)).not.toBe(base(before));
    expect(await answers(rebuilt)).toEqual(await answers(await fullBuildOf(corpus)));
  });

  it('holds one graph entry per distinct text and finds every passage with it, in file order, through deltas, removals and whole builds', async () => {
    const shared = 'وقال المتحدث باسم اللجنة إن الاجتماع المقبل سيعقد في مدينة قازان خلال الخريف.';
    const wire = (i: number) => `---\ntitle: "خبر ${i}"\n---\n${shared}\nوبلغ عدد الوفود ${i + 3} وفود.\n`;
    const corpus = copyCorpus();
    for (let i = 0; i < 6; i++) writeFileSync(join(corpus, `wire-${i}.md`), wire(i));
    const indexDir = join(tempDir('distinct'), 'embeddings');
    const vector = await (await tinyEmbedder()).embedQuery(shared);
    /** The articles of the dense hits for the shared sentence, and their scores. */
    const found = async (index: LocalIndex, k: number) => {
      const hits = await index.denseSearch('sentence', vector, k);
      const sentences = await index.sentences(hits.map((h) => h.id));
      return hits.map((h, i) => [sentences[i]?.articleId, h.score]);
    };
    /** The articles whose copy of the shared sentence the dense search finds, in its order. */
    const holders = async (index: LocalIndex) => {
      const hits = await index.denseSearch('sentence', vector, 40);
      const sentences = await index.sentences(hits.map((h) => h.id));
      return sentences.filter((s) => s?.text === shared).map((s) => s?.articleId);
    };
    const expectLikeFull = async (index: LocalIndex) => {
      const full = await fullBuildOf(corpus);
      expect(await found(index, 40)).toEqual(await found(full, 40));
      expect(index.manifest.graphSizes).toEqual(full.manifest.graphSizes);
      return full;
    };

    await run(corpus, indexDir);
    let index = await openIndex(indexDir);
    // Six copies of one sentence are one vector in the graph.
    expect(index.manifest.graphSizes.sentences).toBe(index.sentenceCount - 5);
    expect(await holders(index)).toEqual(['wire-0', 'wire-1', 'wire-2', 'wire-3', 'wire-4', 'wire-5']);
    // The cut at k passages is inside the run of copies, and the same whatever the graph returned first.
    expect((await found(index, 4)).map(([id]) => id)).toEqual(['wire-0', 'wire-1', 'wire-2', 'wire-3']);

    // A delta adds another copy: the delta has an entry of its own; every copy is found once.
    writeFileSync(join(corpus, 'wire-6.md'), wire(6));
    await run(corpus, indexDir, deltas);
    index = await openIndex(indexDir);
    expect(index.manifest.delta).toBeDefined();
    expect(await holders(index)).toEqual(['wire-0', 'wire-1', 'wire-2', 'wire-3', 'wire-4', 'wire-5', 'wire-6']);
    // And one whose file sorts first, in the same delta.
    writeFileSync(join(corpus, 'aaa-wire.md'), wire(7));
    await run(corpus, indexDir, deltas);
    index = await openIndex(indexDir);
    expect(await holders(index)).toEqual(['aaa-wire', ...['0', '1', '2', '3', '4', '5', '6'].map((i) => `wire-${i}`)]);

    // The delta's entry goes with the delta article that held it (the graphs are written again): the other stays.
    rmSync(join(corpus, 'aaa-wire.md'));
    await run(corpus, indexDir, deltas);
    index = await openIndex(indexDir);
    expect(index.manifest.delta).toBeDefined();
    expect(await holders(index)).toEqual(['0', '1', '2', '3', '4', '5', '6'].map((i) => `wire-${i}`));

    // The base's representative (wire-0's sentence, the smallest label) goes: a whole build, the text's vector
    // now under another copy's label; every remaining copy is still found, as by a full build.
    rmSync(join(corpus, 'wire-0.md'));
    await run(corpus, indexDir, deltas);
    index = await openIndex(indexDir);
    expect(index.manifest.delta).toBeUndefined();
    expect(await holders(index)).toEqual(['1', '2', '3', '4', '5', '6'].map((i) => `wire-${i}`));
    await expectLikeFull(index);

    // Every copy goes: the text's entry leaves the graph.
    for (let i = 1; i <= 6; i++) rmSync(join(corpus, `wire-${i}.md`));
    await run(corpus, indexDir, { ...deltas, allowShrink: true });
    index = await openIndex(indexDir);
    expect(await holders(index)).toEqual([]);
    expect(index.manifest.graphSizes.sentences).toBe(index.sentenceCount);
    await expectLikeFull(index);
  });

  it('refuses a build whose delta file is damaged, naming it', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('delta-damaged'), 'embeddings');
    await run(corpus, indexDir);
    writeFileSync(join(corpus, '006_new.txt'), NEW['006_new.txt']);
    await run(corpus, indexDir, deltas);
    truncateSync(join((await currentBuildDir(indexDir)) as string, 'delta.sentence-vectors.f32'), 10);
    await expect(openIndex(indexDir)).rejects.toMatchObject({
      name: 'IndexDamagedError',
      file: 'delta.sentence-vectors.f32',
    });
  });
});

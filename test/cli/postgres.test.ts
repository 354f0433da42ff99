import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEngine } from '../../src/search/postgres/engine.js';
import { lastJsonLine, runCli } from '../helpers/cli.js';
import { copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.stop();
});

/** A process as a fresh checkout runs it in postgres mode: no index folder (INDEX_DIR names one that must never appear). */
function postgresEnv(indexDir: string): NodeJS.ProcessEnv {
  return tinyModelEnv({ SEARCH_BACKEND: 'postgres', DATABASE_URL: db.url, INDEX_DIR: indexDir });
}

describe('the commands in postgres mode (SEARCH_BACKEND=postgres)', () => {
  it('index writes into the database, ask answers from it without any index folder, and an article indexed by a third process is answered next', async () => {
    await db.reset();
    const corpusDir = copyCorpus();
    const builder = join(tempDir('pg-builder'), 'embeddings');
    const asker = join(tempDir('pg-asker'), 'embeddings');
    const built = await runCli('index-corpus', ['--corpus', corpusDir, '--json'], postgresEnv(builder));
    expect(built.stderr).toMatch(/^Indexed 5 articles .* → postgres:\/\/127\.0\.0\.1/);
    expect(built.code).toBe(0);
    expect(lastJsonLine(built.stdout)).toMatchObject({ articles: 5, embedded: 5, published: true });
    expect(lastJsonLine(built.stdout).indexDir).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/postgres$/);

    const questions = join(tempDir('pg-batch'), 'questions.txt');
    writeFileSync(questions, 'ماذا قال بيسكوف عن أفغانستان؟\nمتى سيفتتح متحف الفنون البحرية في الإسكندرية؟\n');
    const asked = await runCli('ask', ['--json', '--batch', questions], postgresEnv(asker));
    expect(asked.code).toBe(0);
    const [peskov, museum] = asked.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(peskov).toMatchObject({ found: true });
    // From the one article that reports what Peskov said (which of its sentences comes first is the rerank's to decide).
    expect(peskov.answers[0].articleId).toBe('002_26a9db706ec05ddb');
    expect(museum.answers.map((a: { articleId: string }) => a.articleId)).not.toContain('zz-museum');

    // A third process indexes one more article; the asker answers it with no build of its own.
    writeFileSync(
      join(corpusDir, 'zz-museum.txt'),
      'الإسكندرية 3 مارس 2024 (وكالة)\nأعلنت وزارة الثقافة أن متحف الفنون البحرية في الإسكندرية سيفتتح في شهر يونيو المقبل.\n',
    );
    const third = await runCli('index-corpus', ['--corpus', corpusDir, '--json'], postgresEnv(builder));
    expect(third.code).toBe(0);
    expect(lastJsonLine(third.stdout)).toMatchObject({ articles: 6, embedded: 1, reused: 5 });
    const again = await runCli('ask', ['--json', '--batch', questions], postgresEnv(asker));
    const [, answered] = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answered).toMatchObject({ found: true });
    expect(answered.answers[0].articleId).toBe('zz-museum');

    expect(existsSync(builder)).toBe(false);
    expect(existsSync(asker)).toBe(false);
  }, 240_000); // five processes, each loading the model

  it('index with --no-corpus, or with no corpus folder, publishes what the database holds: the stored articles, the corpus’s kept', async () => {
    await db.reset();
    const corpusDir = copyCorpus();
    const work = tempDir('pg-no-corpus');
    const env = (extra: Record<string, string> = {}) => ({
      ...postgresEnv(join(work, 'embeddings')),
      CORPUS_DIR: join(work, 'no-such-folder'),
      ...extra,
    });
    expect((await runCli('index-corpus', ['--corpus', corpusDir, '--json'], env())).code).toBe(0);
    // Ingestion on another machine stored an article for the next build (the inbox).
    const store = async (id: string, text: string) => {
      const engine = await PostgresEngine.connect(db.url);
      try {
        await engine.archive?.store({ id, file: `${id}.md`, bytes: Buffer.from(text), textHash: id });
      } finally {
        await engine.close();
      }
    };
    await store('web-museum', '---\ntitle: "متحف"\n---\nسيفتتح متحف الفنون البحرية في الإسكندرية في يونيو.\n');
    const explicit = await runCli('index-corpus', ['--no-corpus', '--json'], env());
    expect(explicit.code).toBe(0);
    expect(explicit.stderr).toMatch(/No corpus folder read: building from what the database holds/);
    expect(lastJsonLine(explicit.stdout)).toMatchObject({ published: true, articles: 6, embedded: 1, reused: 5 });
    // No --corpus and CORPUS_DIR names no folder: the same.
    await store('web-bridge', '---\ntitle: "جسر"\n---\nافتتح المحافظ جسرا جديدا فوق النهر.\n');
    const implicit = await runCli('index-corpus', ['--json'], env());
    expect(implicit.code).toBe(0);
    expect(implicit.stderr).toMatch(/No corpus folder \(.*no-such-folder\): building from what the database holds/);
    expect(lastJsonLine(implicit.stdout)).toMatchObject({ published: true, articles: 7, embedded: 1, reused: 6 });
    expect(existsSync(join(work, 'no-such-folder'))).toBe(false);
    // The local engine has no archive of its own: refused in one line.
    const local = await runCli('index-corpus', ['--no-corpus'], tinyModelEnv({ INDEX_DIR: join(work, 'local') }));
    expect(local.code).not.toBe(0);
    expect(local.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--no-corpus needs an engine that keeps/)]);
  }, 240_000);

  it('says in one line what to do when the database cannot be used', async () => {
    const env = tinyModelEnv({ SEARCH_BACKEND: 'postgres', DATABASE_URL: 'postgres://qa:pw-secret-9@127.0.0.1:1/qa' });
    const result = await runCli('ask', ['ما هي عاصمة البرازيل؟'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Cannot use the database in DATABASE_URL: nothing answers/);
    expect(result.stderr).not.toContain('pw-secret-9');
    const unset = await runCli('ask', ['ما هي عاصمة البرازيل؟'], tinyModelEnv({ SEARCH_BACKEND: 'postgres' }));
    expect(unset.stderr).toMatch(/DATABASE_URL is not set/);
  }, 120_000);
});

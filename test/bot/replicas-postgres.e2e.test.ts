/**
 * Two bot replicas (`npm start` processes) in webhook mode on one database
 * (SEARCH_BACKEND=postgres: a real PostgreSQL with pgvector, PGlite over its
 * wire protocol) and one Redis, behind the loopback dispatcher, the Bot API
 * being the telegram-test-api emulator. Neither replica has an index folder.
 * An editor's /add reaches replica A; replica B answers the new article
 * within seconds, with no build of its own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEngine } from '../../src/search/postgres/engine.js';
import type { CliProcess } from '../helpers/cli.js';
import { Dispatcher } from '../helpers/dispatcher.js';
import { CHUNKING, copyCorpus, tempDir, tinyEmbedder } from '../helpers/fixtures.js';
import { type NewsSite, OLD, startNewsSite } from '../helpers/news-site.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import {
  botMessages,
  type EmulatorClient,
  freePort,
  privateChat,
  startBotProcess,
  startEmulator,
} from '../helpers/telegram.js';

/** A replica: `npm start` in webhook mode, the address its webhook listens on, and its own folders. */
interface Replica {
  bot: CliProcess;
  webhook: string;
  indexDir: string;
  corpusDir: string;
}

const EDITOR = 4242;
let db: TestPostgres;
let redis: TestRedis;
let emulator: TelegramServer;
let dispatcher: Dispatcher;
let replicas: Replica[] = [];
let site: NewsSite;

async function startReplica(dispatcherUrl: string): Promise<Replica> {
  const port = await freePort();
  const indexDir = join(tempDir('pg-replica'), 'embeddings');
  const corpusDir = copyCorpus();
  const bot = await startBotProcess(
    emulator.config.apiURL,
    {
      SEARCH_BACKEND: 'postgres',
      DATABASE_URL: db.url,
      INDEX_DIR: indexDir,
      CORPUS_DIR: corpusDir,
      INGEST_ALLOW_HOSTS: '127.0.0.1', // the loopback news site
      INGEST_HOST_DELAY_MS: '0',
      DATA_DIR: join(tempDir('pg-replica'), 'data'),
      WEBHOOK_URL: dispatcherUrl,
      WEBHOOK_ALLOW_UNSIGNED: 'true', // the emulator does not send secret_token
      WEBHOOK_PORT: String(port),
      REDIS_URL: redis.url,
      ADMIN_USER_IDS: String(EDITOR),
      RATE_LIMIT_PER_MINUTE: '1000',
    },
    { readyLine: 'bot running (webhook)', ms: 90_000 },
  );
  return { bot, webhook: `http://127.0.0.1:${port}/telegram`, indexDir, corpusDir };
}

beforeAll(async () => {
  [db, redis, emulator, site] = await Promise.all([startPostgres(), startRedis(), startEmulator(), startNewsSite()]);
  // The archive is built once, by a builder elsewhere; the replicas only read it.
  const engine = await PostgresEngine.connect(db.url);
  try {
    await engine.build({ corpusDir: copyCorpus(), embedder: await tinyEmbedder(), chunking: CHUNKING });
  } finally {
    await engine.close();
  }
  const port = await freePort();
  dispatcher = new Dispatcher();
  await dispatcher.listen(port);
  const dispatcherUrl = `http://127.0.0.1:${port}/telegram`;
  replicas = [await startReplica(dispatcherUrl), await startReplica(dispatcherUrl)];
  dispatcher.replicas = replicas.map((r) => r.webhook);
}, 240_000);

afterEach((context) => {
  if (context.task.result?.state === 'fail')
    for (const [i, r] of replicas.entries()) console.log(`replica ${i}:\n${r.bot.output}`);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.bot.stop()));
  await dispatcher?.close();
  await emulator?.stop();
  await redis?.stop();
  await db?.stop();
  await site?.close();
});

const ARTICLE = `---
title: افتتاح متحف الفنون البحرية
source: وكالة الأنباء
date: 2024-03-03
---
أعلنت وزارة الثقافة أن متحف الفنون البحرية في الإسكندرية سيفتتح في شهر يونيو المقبل.
`;

/** Asks `question` again (every half second) until the reply holds `expected`, for at most 30 s: the last reply. */
async function askUntil(reader: EmulatorClient, question: string, expected: string): Promise<string> {
  const started = Date.now();
  let answer = '';
  while (!answer.includes(expected) && Date.now() - started < 30_000) {
    await reader.sendMessage(reader.makeMessage(question));
    answer = (await botMessages(reader, 1))[0].text ?? '';
    if (!answer.includes(expected)) await new Promise((r) => setTimeout(r, 500));
  }
  return answer;
}

describe('two replicas on one database', () => {
  it('an article an editor adds on replica A is answered by replica B within seconds', async () => {
    const question = 'متى سيفتتح متحف الفنون البحرية في الإسكندرية؟';
    const reader = privateChat(emulator, 7001, 'هدى');
    dispatcher.route = 1;
    await reader.sendMessage(reader.makeMessage(question));
    expect((await botMessages(reader, 1))[0].text).not.toContain('يونيو المقبل');

    const editor = privateChat(emulator, EDITOR, 'رنا');
    dispatcher.route = 0;
    await editor.sendMessage(editor.makeMessage(`/add\n${ARTICLE}`));
    await botMessages(editor, 1, 30_000);
    // Replica A publishes the build; replica B sees it (polling the current build) and answers from it.
    dispatcher.route = 1;
    const started = Date.now();
    const answer = await askUntil(reader, question, 'يونيو المقبل');
    expect(answer.replace(/<[^>]+>/g, '')).toContain('متحف الفنون البحرية في الإسكندرية سيفتتح في شهر يونيو المقبل');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(replicas[1].bot.output).not.toMatch(/"msg":"[^"]*build[^"]*started/i);
    for (const r of replicas) expect(existsSync(r.indexDir)).toBe(false);
    // Kept in the database as an editor's article (the archive of record), not as a file of A's corpus folder.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT origin FROM articles WHERE title = 'افتتاح متحف الفنون البحرية'`);
    await client.end();
    expect(rows).toEqual([{ origin: 'chat' }]);
  }, 120_000);

  it("an editor's link on replica A is stored in the database and answered by replica B with its canonical address", async () => {
    const question = 'من أين قدم أول قطار بضائع وصل إلى ميناء طرطوس؟';
    const editor = privateChat(emulator, EDITOR, 'رنا');
    dispatcher.route = 0;
    await editor.sendMessage(editor.makeMessage(`${site.origin}${OLD.path}`));
    await botMessages(editor, 1, 30_000); // "fetching…", edited as it goes
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const stored = async () =>
      (
        await client.query(
          `SELECT a.origin, a.url FROM articles a JOIN current_build c
              ON a.added_in <= c.build_id AND (a.removed_in IS NULL OR a.removed_in > c.build_id)
            WHERE a.title = $1`,
          [OLD.title],
        )
      ).rows;
    const deadline = Date.now() + 60_000;
    while ((await stored()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await stored()).toEqual([{ origin: 'web', url: `${site.origin}${OLD.path}` }]);
    await client.end();

    const reader = privateChat(emulator, 7002, 'سامي');
    dispatcher.route = 1;
    const answer = await askUntil(reader, question, 'قادما من حلب');
    expect(answer).toContain('قادما من حلب');
    expect(answer).toContain(`href="${site.origin}${OLD.path}"`);
    // Nothing written into the replica's corpus folder.
    expect(readdirSync(replicas[0].corpusDir).filter((f) => f.endsWith('.md'))).toEqual([]);
  }, 120_000);
});

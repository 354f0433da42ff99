import { readdirSync } from 'node:fs';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/i18n.js';
import { HostPolicy } from '../../src/ingest/address.js';
import { Ingester } from '../../src/ingest/ingest.js';
import type { ArticleStore } from '../../src/ingest/store.js';
import { indexedCopy, openArchive, openService, tinyEmbedder } from '../helpers/fixtures.js';
import { MODERN, type NewsSite, siteClient, startNewsSite } from '../helpers/news-site.js';
import {
  type ApiCall,
  botMessages,
  privateChat,
  startEmulator,
  startTestBot,
  type TestBot,
} from '../helpers/telegram.js';

const EDITOR = 7301;
const READER = 7302;
const MAX_BYTES = 4 * 1024 * 1024;

let site: NewsSite;
let server: TelegramServer;
let bot: TestBot;
let corpus: string;

beforeAll(async () => {
  site = await startNewsSite();
  let indexDir: string;
  ({ corpus, indexDir } = await indexedCopy('ingest-bot'));
  const model = await tinyEmbedder();
  server = await startEmulator();
  const service = await openService(indexDir, model);
  const archive = openArchive(corpus, service, model, MAX_BYTES);
  // What launchBot builds from the configuration, with INGEST_ALLOW_HOSTS=127.0.0.1 for the loopback site.
  const fromWeb = async (urls: string[], store: ArticleStore) => {
    const client = siteClient(new HostPolicy(['127.0.0.1']), MAX_BYTES);
    return new Ingester({ client, store }).run(urls).finally(() => client.close());
  };
  bot = await startTestBot(server, indexDir, { service, archive, fromWeb, admins: new Set([EDITOR]) });
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') console.log(bot.logs.join('\n'));
});

afterAll(async () => {
  await bot?.stop();
  await server?.stop();
  await site?.close();
});

function client(userId: number) {
  const c = privateChat(server, userId, 'هدى');
  return { raw: c, say: (text: string) => c.sendMessage(c.makeMessage(text)) };
}

/** The first edit of a progress message to `chatId` whose text starts with `start`. */
async function finalEdit(from: number, chatId: number, start: string, timeoutMs = 30_000): Promise<ApiCall> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = bot.calls
      .slice(from)
      .find(
        (c) =>
          c.method === 'editMessageText' && c.payload.chat_id === chatId && String(c.payload.text).startsWith(start),
      );
    if (call) return call;
    if (Date.now() > deadline)
      throw new Error(
        `no edit starting with ${start}: ${JSON.stringify(bot.calls.slice(from).filter((c) => c.method !== 'getUpdates'))}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('links sent in the chat', () => {
  it('refuses a reader’s link as an archive change, without fetching it', async () => {
    const reader = client(READER);
    const before = site.requests.length;
    await reader.say(`${site.origin}${MODERN.path}`);
    await reader.say(`/add ${site.origin}${MODERN.path}`);
    const replies = await botMessages(reader.raw, 2);
    expect(replies.map((r) => r.text)).toEqual([t('ar', 'admin-only'), t('ar', 'admin-only')]);
    expect(site.requests.length).toBe(before);
  });

  it('ingests an editor’s link and replies with its headline, outlet, date and address; the article is then listed first in /sources', async () => {
    const editor = client(EDITOR);
    const from = bot.calls.length;
    await editor.say(`${site.origin}${MODERN.path}?utm_source=telegram`);
    const done = await finalEdit(
      from,
      EDITOR,
      t('ar', 'add-link-done', { title: '', outlet: '', date: '', url: '' }).split('\n')[0],
    );
    expect(String(done.payload.text)).toContain(
      t('ar', 'add-link-done', {
        title: MODERN.title,
        outlet: MODERN.outlet,
        date: MODERN.date,
        url: `${site.origin}${MODERN.path}`,
      }),
    );
    expect(readdirSync(corpus).filter((f) => f.endsWith('.md'))).toHaveLength(1);
    expect((await bot.service.articles({ offset: 0, limit: 100 })).total).toBe(6);
    await botMessages(editor.raw, 1);

    await editor.say('/sources');
    const [sources] = await botMessages(editor.raw, 1);
    expect(sources.text.split('\n')[1]).toContain(MODERN.title);

    // The same article again, by /add: already there, unchanged.
    const again = bot.calls.length;
    await editor.say(`/add ${site.origin}${MODERN.path}`);
    await finalEdit(
      again,
      EDITOR,
      t('ar', 'add-link-unchanged', { title: '', outlet: '', date: '', id: '' }).split('\n')[0],
    );
    await botMessages(editor.raw, 1);
  });

  it('tells the editor why a link was refused', async () => {
    const editor = client(EDITOR);
    const from = bot.calls.length;
    await editor.say(`/add ${site.origin}/photo.png`);
    const refused = await finalEdit(from, EDITOR, t('ar', 'add-link-refused', { reason: '' }).split('\u2068')[0]);
    expect(String(refused.payload.text)).toMatch(/image\/png/);
    await botMessages(editor.raw, 1);
  });
});

/**
 * Two bot replicas (`npm start` processes) in webhook mode, sharing a real
 * Redis server, behind a small loopback dispatcher that delivers Telegram's
 * updates the way Telegram does: to one replica, and again (to another) when
 * a delivery is not acknowledged. The Bot API is the telegram-test-api
 * emulator, whose webhook points at the dispatcher.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/i18n.js';
import { buildIndex } from '../../src/search/local/build.js';
import type { CliProcess } from '../helpers/cli.js';
import { Dispatcher } from '../helpers/dispatcher.js';
import { CHUNKING, tempDir, tinyEmbedder } from '../helpers/fixtures.js';
import { CORPUS_DIR } from '../helpers/paths.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import {
  type BotMessage,
  botMessages,
  freePort,
  noBotMessage,
  privateChat,
  startBotProcess,
  startEmulator,
} from '../helpers/telegram.js';
import { eventually } from '../helpers/wait.js';

/** A Bot API proxy in front of the emulator that holds every sendMessage for `delayMs`: a replica busy mid-update. */
async function slowProxy(target: string, delayMs: number): Promise<{ url: string; close(): void }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      if (req.url?.includes('sendMessage')) await new Promise((r) => setTimeout(r, delayMs));
      try {
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          body: req.method === 'GET' ? undefined : body,
        });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** A replica: `npm start` in webhook mode, and the address its webhook listens on. */
interface Replica {
  bot: CliProcess;
  webhook: string;
}

let redis: TestRedis;
let emulator: TelegramServer;
let dispatcher: Dispatcher;
let indexDir: string;
let replicas: Replica[] = [];
let proxy: { url: string; close(): void } | undefined;
let nextUser = 9000;

async function startReplica(
  dispatcherUrl: string,
  apiRoot: string,
  extra: Record<string, string> = {},
): Promise<Replica> {
  const port = await freePort();
  const bot = await startBotProcess(
    apiRoot,
    {
      INDEX_DIR: indexDir,
      DATA_DIR: join(tempDir('replica'), 'data'),
      WEBHOOK_URL: dispatcherUrl,
      WEBHOOK_PORT: String(port),
      WEBHOOK_ALLOW_UNSIGNED: 'true', // the emulator does not send secret_token
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_MINUTE: '1000',
      ...extra,
    },
    { readyLine: 'bot running (webhook)' },
  );
  return { bot, webhook: `http://127.0.0.1:${port}/telegram` };
}

async function stopReplicas(): Promise<void> {
  await Promise.all(replicas.map((r) => r.bot.stop()));
  replicas = [];
}

/** Two fresh replicas (the first one's Bot API calls optionally slowed down), the dispatcher routing to both. */
async function twoReplicas(extra: Record<string, string> = {}, slowFirst = false): Promise<void> {
  await stopReplicas();
  const port = await freePort();
  dispatcher = new Dispatcher();
  await dispatcher.listen(port);
  const dispatcherUrl = `http://127.0.0.1:${port}/telegram`;
  proxy = slowFirst ? await slowProxy(emulator.config.apiURL, 1500) : undefined;
  replicas = [
    await startReplica(dispatcherUrl, proxy?.url ?? emulator.config.apiURL, extra),
    await startReplica(dispatcherUrl, emulator.config.apiURL, extra),
  ];
  dispatcher.replicas = replicas.map((r) => r.webhook);
}

function privateUser() {
  const id = nextUser++;
  return privateChat(emulator, id, 'سلمى');
}

beforeAll(async () => {
  redis = await startRedis();
  emulator = await startEmulator();
  indexDir = join(tempDir('replicas'), 'embeddings');
  await buildIndex({ corpusDir: CORPUS_DIR, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING });
}, 120_000);

afterEach((context) => {
  if (context.task.result?.state === 'fail')
    for (const [i, r] of replicas.entries()) console.log(`replica ${i}:\n${r.bot.output}`);
});

afterAll(async () => {
  await stopReplicas();
  proxy?.close();
  await dispatcher?.close();
  await emulator?.stop();
  await redis?.stop();
});

describe('two replicas on Redis', () => {
  it('answers an update delivered to both replicas once', async () => {
    await twoReplicas();
    dispatcher.route = 'both';
    const asker = privateUser();
    await asker.sendMessage(asker.makeMessage('من هو وزير الخارجية الصيني الذي التقى لافروف؟'));
    await dispatcher.idle();
    expect((await botMessages(asker, 1))[0].text).toContain('وانج يي');
    await noBotMessage(asker, 1500);
  });

  it('serves a button made on replica A from replica B', async () => {
    dispatcher.route = 0;
    const asker = privateUser();
    await asker.sendMessage(asker.makeMessage('ما موقف الصين وروسيا من أفغانستان؟'));
    const [first] = await botMessages(asker, 1);
    const more = first.reply_markup?.inline_keyboard.flat().find((b) => b.text === t('ar', 'more'));
    expect(more).toBeDefined();
    dispatcher.route = 1;
    await asker.sendCallback(asker.makeCallbackQuery(more?.callback_data ?? ''));
    const [next] = await botMessages(asker, 1);
    expect(next.text).toContain('<blockquote>');
    expect(next.text).not.toBe(first.text);
  });

  it('holds the per-user rate limit across both replicas', async () => {
    await twoReplicas({ RATE_LIMIT_PER_MINUTE: '2' });
    dispatcher.route = 'round-robin';
    const asker = privateUser();
    for (let i = 0; i < 3; i++) {
      await asker.sendMessage(asker.makeMessage('كم بلغت التجارة الثنائية؟'));
      await dispatcher.idle();
    }
    const replies = await botMessages(asker, 3);
    expect(replies.filter((r) => r.text === t('ar', 'rate-limited'))).toHaveLength(1);
    expect(new Set([...dispatcher.acknowledged.values()].map((a) => a[0]))).toEqual(new Set([0, 1]));
  });

  it('loses no question when a replica is killed mid-stream: its updates are delivered again and answered by the other', async () => {
    await twoReplicas({}, true); // replica 0 takes 1.5 s per reply: it dies holding updates
    dispatcher.route = 'round-robin';
    const askers = Array.from({ length: 6 }, privateUser);
    await Promise.all(askers.map((a) => a.sendMessage(a.makeMessage('ماذا قال بيسكوف عن أفغانستان؟'))));
    await new Promise((r) => setTimeout(r, 400));
    replicas[0].bot.child.kill('SIGKILL');
    await dispatcher.idle();
    // Every question is answered. One may be answered twice: a replica killed after its reply
    // left but before it acknowledged the update gets that update delivered again (at least once).
    const answers: BotMessage[][] = [];
    for (const asker of askers) answers.push(await botMessages(asker, 1, 60_000));
    for (const received of answers) {
      expect(received.length).toBeGreaterThanOrEqual(1);
      for (const a of received) expect(a.text).toContain('بيسكوف');
    }
    expect(answers.flat().length).toBeLessThanOrEqual(6 + 3);
    // Some updates were on the killed replica when it died, and were answered by the other.
    const moved = [...dispatcher.failed].filter(
      ([id, on]) => on.includes(0) && dispatcher.acknowledged.get(id)?.includes(1),
    );
    expect(moved.length).toBeGreaterThan(0);
  }, 120_000);

  it('logs Redis going away and coming back, and goes on answering without a restart', async () => {
    await twoReplicas();
    dispatcher.route = 'round-robin';
    await redis.restart(1500);
    await eventually(() => replicas.every((r) => r.bot.output.includes('redis connection restored')), 20_000);
    for (const r of replicas) {
      expect(r.bot.output).toContain('redis connection lost');
      expect(r.bot.output).toContain('redis connection restored');
    }
    // Shared state works again: a duplicate delivery is answered once, a button crosses replicas.
    dispatcher.route = 'both';
    const asker = privateUser();
    await asker.sendMessage(asker.makeMessage('ما موقف الصين وروسيا من أفغانستان؟'));
    await dispatcher.idle();
    const [answer] = await botMessages(asker, 1);
    await noBotMessage(asker, 1000);
    dispatcher.route = 1;
    const more = answer.reply_markup?.inline_keyboard.flat().find((b) => b.text === t('ar', 'more'));
    await asker.sendCallback(asker.makeCallbackQuery(more?.callback_data ?? ''));
    expect((await botMessages(asker, 1))[0].text).toContain('<blockquote>');
  }, 60_000);
});

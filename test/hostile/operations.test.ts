/**
 * Hostile conditions for a running bot: secrets in error texts, a Bot API
 * that cannot be reached, a state store that fails, a button id that leaks
 * to another chat. Every probe of SECURITY.md's "operations" rows.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.js';
import { type RunningBot, startPolling } from '../../src/bot/run.js';
import { openRedisState } from '../../src/bot/state/state.js';
import { t } from '../../src/i18n/i18n.js';
import { createLogger, redactSecrets, registerSecret } from '../../src/log.js';
import { startCli } from '../helpers/cli.js';
import { copyCorpus, openService, seedIndex, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';
import {
  botMessages,
  freePort,
  noBotMessage,
  privateChat,
  startEmulator,
  startTestBot,
  type TestBot,
  TOKEN,
  waitForCall,
} from '../helpers/telegram.js';
import { eventually } from '../helpers/wait.js';

const SECRET = TOKEN.split(':')[1];

describe('secrets never reach a log line', () => {
  it('redacts a bot token alone, inside a Bot API URL, URL-encoded, in fields, arrays and stacks', () => {
    const inUrl = new Error(`request to https://api.telegram.org/bot${TOKEN}/getMe failed`);
    const values = [
      TOKEN,
      `GET /bot${TOKEN}/getUpdates`,
      `token=${encodeURIComponent(TOKEN)}&x=1`,
      { nested: { url: `/bot${TOKEN}/sendMessage` }, list: [`x ${TOKEN}`] },
      inUrl,
    ];
    for (const value of values) {
      const redacted = JSON.stringify(redactSecrets(value), (_k, v) =>
        v instanceof Error ? { message: v.message, stack: v.stack } : v,
      );
      expect(redacted).not.toContain(SECRET);
      expect(redacted).not.toContain(encodeURIComponent(TOKEN));
      expect(redacted).toContain('[secret]');
    }
  });

  it('redacts registered secrets (webhook secret, Redis password), plain and URL-encoded, through the logger', () => {
    registerSecret('p@ss:word-42');
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.error({ err: new Error('AUTH failed for redis://:p%40ss%3Aword-42@host') }, 'connecting with p@ss:word-42');
    logger.info({ token: 'anything' }, `calling /bot${TOKEN}/getMe`);
    const out = lines.join('\n');
    expect(out).not.toContain('p@ss:word-42');
    expect(out).not.toContain('p%40ss%3Aword-42');
    expect(out).not.toContain(SECRET);
  });
});

describe('a Bot API that cannot be reached', () => {
  let child: ReturnType<typeof startCli> | undefined;
  let emulator: TelegramServer | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await emulator?.stop();
    child = undefined;
    emulator = undefined;
  });

  it('at start: says so within seconds, keeps trying with a logged pause, and runs once it is back', async () => {
    const port = await freePort();
    const dir = tempDir('unreachable');
    child = startCli(
      'start',
      [],
      tinyModelEnv({
        CORPUS_DIR: copyCorpus(),
        INDEX_DIR: join(dir, 'embeddings'),
        DATA_DIR: join(dir, 'data'),
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'info',
      }),
    );
    let logs = '';
    child.stderr?.on('data', (d) => (logs += d));
    const until = (text: string, ms: number) => eventually(() => logs.includes(text), ms);
    expect(await until('Telegram Bot API unreachable at start: retrying', 45_000)).toBe(true);
    const lines = logs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; time: number; retryInMs?: number });
    // Said within seconds of trying: the first attempt comes right after the index is ready.
    const ready = lines.find((l) => l.msg === 'index built')?.time ?? 0;
    const first = lines.find((l) => l.msg.includes('unreachable at start'));
    expect((first?.time ?? Number.POSITIVE_INFINITY) - ready).toBeLessThan(5000);
    expect(first?.retryInMs).toBeLessThanOrEqual(60_000);
    emulator = await startEmulator(port);
    expect(await until('bot running (long polling)', 30_000)).toBe(true);
    const client = privateChat(emulator, 41);
    await client.sendMessage(client.makeMessage('كم بلغت التجارة الثنائية بين الصين وروسيا؟'));
    expect((await botMessages(client, 1, 30_000))[0].text).toContain('100 مليار دولار');
    expect(logs).not.toContain(SECRET);
  }, 90_000);
});

describe('network failures while running', () => {
  let indexDir: string;
  let bot: TestBot | undefined;
  let emulator: TelegramServer | undefined;
  let running: RunningBot | undefined;

  beforeAll(async () => {
    ({ indexDir } = await seedIndex(await tinyEmbedder()));
  });

  afterEach(async () => {
    await bot?.stop().catch(() => undefined);
    await running?.stop();
    await emulator?.stop().catch(() => undefined);
    bot = undefined;
    running = undefined;
    emulator = undefined;
  });

  it('retries getUpdates with a logged pause that stops growing, and comes back with the Bot API', async () => {
    const port = await freePort();
    emulator = await startEmulator(port);
    const running = await startTestBot(emulator, indexDir);
    bot = running;
    await emulator.stop();
    await eventually(() => running.logs.some((l) => l.includes('"method":"getUpdates"')), 20_000);
    const retries = bot.logs
      .filter((l) => l.includes('Telegram Bot API unreachable: retrying'))
      .map((l) => JSON.parse(l));
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(r.retryInMs).toBeLessThanOrEqual(60_000);
    emulator = await startEmulator(port);
    const client = privateChat(emulator, 42);
    await client.sendMessage(client.makeMessage('ماذا قال بيسكوف عن أفغانستان؟'));
    expect((await botMessages(client, 1, 30_000))[0].text).toContain('بيسكوف');
  }, 60_000);

  it('gives up on a reply after a few attempts, logs it, and answers the next question (sendMessage dropped by a proxy)', async () => {
    emulator = await startEmulator();
    const upstream = emulator.config.apiURL;
    let dropping = true;
    const proxy = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        if (dropping && req.url?.includes('/sendMessage')) return void req.socket.destroy();
        const answer = await fetch(`${upstream}${req.url}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: req.method === 'GET' ? undefined : body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    try {
      bot = await startTestBot(emulator, indexDir, { apiRoot: `http://127.0.0.1:${port}` });
      const client = privateChat(emulator, 43);
      await client.sendMessage(client.makeMessage('كم بلغت التجارة الثنائية؟'));
      const logs = bot.logs;
      await eventually(() => logs.some((l) => l.includes('update failed')), 20_000);
      const failedAt = bot.logs.findIndex((l) => l.includes('update failed'));
      const retries = bot.logs
        .slice(0, failedAt)
        .filter((l) => l.includes('"method":"sendMessage"') && l.includes('retrying'));
      expect(retries.length).toBe(2); // 3 attempts: 2 retries, then the error reaches the handler
      expect(bot.logs.some((l) => l.includes('update failed'))).toBe(true);
      dropping = false;
      await client.sendMessage(client.makeMessage('كم بلغت التجارة الثنائية؟'));
      // The apology may arrive first, once its own retry gets through.
      const received: string[] = [];
      const until = Date.now() + 20_000;
      while (!received.some((text) => text.includes('100 مليار دولار')) && Date.now() < until) {
        received.push(...(await botMessages(client, 1, 20_000)).map((m) => m.text));
      }
      expect(received.some((text) => text.includes('100 مليار دولار'))).toBe(true);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it('delivers the answer without buttons when the state store fails, and says so in the log (Redis not running)', async () => {
    emulator = await startEmulator();
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const state = await openRedisState({
      dataDir: tempDir('dead-redis'),
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      logger,
    });
    const service = await openService(indexDir, await tinyEmbedder());
    const telegram = createBot({
      token: TOKEN,
      apiRoot: emulator.config.apiURL,
      rateLimitPerMinute: 100,
      service,
      state,
      logger,
      answerCount: 3,
    });
    const polling = await startPolling(telegram, logger);
    running = {
      stop: async () => {
        await polling.stop();
        await state.close();
        service.close();
      },
    };
    const client = privateChat(emulator, 44);
    await client.sendMessage(client.makeMessage('كم بلغت التجارة الثنائية بين الصين وروسيا؟'));
    const [answer] = await botMessages(client, 1, 20_000);
    expect(answer.text).toContain('100 مليار دولار');
    expect(answer.reply_markup).toBeUndefined();
    expect(lines.join('\n')).toContain('button store failed: answer sent without buttons');
  }, 60_000);
});

describe('buttons', () => {
  it('work only in the chat they were sent to', async () => {
    const { indexDir } = await seedIndex(await tinyEmbedder());
    const emulator = await startEmulator();
    const bot = await startTestBot(emulator, indexDir);
    try {
      const owner = privateChat(emulator, 51, 'a');
      const stranger = privateChat(emulator, 52, 'b');
      await owner.sendMessage(owner.makeMessage('ما موقف الصين وروسيا من أفغانستان؟'));
      const [answer] = await botMessages(owner, 1);
      const more = answer.reply_markup?.inline_keyboard.flat().find((b) => b.text === t('ar', 'more'));
      await stranger.sendCallback(stranger.makeCallbackQuery(more?.callback_data ?? ''));
      await waitForCall(bot, (c) => c.method === 'answerCallbackQuery' && c.payload.text === t('ar', 'expired'));
      await noBotMessage(stranger, 500);
      await owner.sendCallback(owner.makeCallbackQuery(more?.callback_data ?? ''));
      expect((await botMessages(owner, 1))[0].text).toContain('<blockquote>');
    } finally {
      await bot.stop();
      await emulator.stop();
    }
  });
});

import { createServer } from 'node:net';
import type { Bot } from 'grammy';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import type { AnswerService } from '../../src/answering/service.js';
import type { BotContext } from '../../src/bot/context.js';
import { type BotOptions, createBot } from '../../src/bot/create-bot.js';
import { setCommandMenu } from '../../src/bot/menu.js';
import { type RunningBot, startPolling } from '../../src/bot/run.js';
import { type BotState, openEmbeddedState } from '../../src/bot/state/state.js';
import { TELEGRAM_LIMITS, type ThrottleLimits } from '../../src/bot/state/throttle.js';
import { createLogger, type Logger } from '../../src/log.js';
import { CliProcess } from './cli.js';
import { openService, tempDir, tinyEmbedder, tinyModelEnv } from './fixtures.js';
import { outgoingProblems, parseTelegramHtml } from './telegram-rules.js';

/** Telegram's overall budget, without the per-chat pace of one message a second. */
export const NO_CHAT_PACE = {
  ...TELEGRAM_LIMITS,
  out: { maxConcurrent: 1, minTime: 0 },
  group: { ...TELEGRAM_LIMITS.group, minTime: 0, reservoir: 10_000, reservoirRefreshAmount: 10_000 },
};

export const TOKEN = '123456789:AAE-test-token-for-the-emulator_xyz';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** telegram-test-api: a Bot API emulator over real HTTP on a free loopback port. */
export async function startEmulator(port?: number): Promise<TelegramServer> {
  const server = new TelegramServer({ port: port ?? (await freePort()), host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  return server;
}

/** A user of the emulator, as the tests talk to the bot through it. */
export type EmulatorClient = ReturnType<TelegramServer['getClient']>;

/** A user of the emulator in a private chat of their own (the chat's id is the user's). */
export function privateChat(server: TelegramServer, userId: number, firstName = 'x'): EmulatorClient {
  return server.getClient(TOKEN, { userId, chatId: userId, type: 'private', firstName, userName: `u${userId}` });
}

/** The numbers of webhookUser's updates: one sequence per test file (each file has its own modules). */
let nextUpdateId = 1;

/**
 * A user of the emulator in a private chat, and `update(text)`: the update
 * that carries their message, as Telegram posts it to a webhook.
 */
export function webhookUser(server: TelegramServer, userId: number) {
  const update = (text: string) => {
    const id = nextUpdateId++;
    return {
      update_id: id,
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: userId, type: 'private', first_name: 'ليلى' },
        from: { id: userId, is_bot: false, first_name: 'ليلى' },
        text,
      },
    };
  };
  return { client: privateChat(server, userId, 'ليلى'), update };
}

/** Posts an update (or a raw body) to a webhook, with Telegram's secret-token header when `secret` is given. */
export function postUpdate(url: string, body: unknown, secret?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Sends a sticker from the client's chat: a message with no text. */
export function sendSticker(client: EmulatorClient): Promise<unknown> {
  const message = client.makeMessage('') as Record<string, unknown>;
  delete message.text;
  message.sticker = {
    file_id: 'x',
    file_unique_id: 'y',
    type: 'regular',
    width: 512,
    height: 512,
    is_animated: false,
    is_video: false,
  };
  return client.sendMessage(message as never);
}

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

/** Our bot as `npm start` builds it, not yet receiving updates (see startTestBot for one that long-polls). */
export interface BuiltBot {
  bot: Bot<BotContext>;
  service: AnswerService;
  state: BotState;
  logger: Logger;
  logs: string[];
  /** Every Bot API call the bot made (they still go to the emulator). */
  calls: ApiCall[];
  /** The bot's state folder (DATA_DIR's store). */
  stateDir: string;
  /** Replies Telegram would have rejected (see telegram-rules.ts); close() fails when there are any. */
  violations: string[];
  /** Closes the service and the state. */
  close(): Promise<void>;
}

export interface TestBot extends Omit<BuiltBot, 'state' | 'logger' | 'close'> {
  running: RunningBot;
  stop(): Promise<void>;
}

export interface TestBotSetup extends Partial<BotOptions> {
  /** Reuse a state folder: what a restarted bot finds on disk. */
  stateDir?: string;
  /** Outgoing limits (default: Telegram's, without the per-chat pace). */
  throttle?: ThrottleLimits;
}

/**
 * Our bot, built as `npm start` builds it, against the emulator: what it logs
 * is kept (to assert on it, and that it never holds the token), and every
 * Bot API call it makes is recorded and checked as Telegram checks it.
 */
export async function buildTestBot(
  server: TelegramServer,
  indexDir: string,
  { stateDir = tempDir('state'), throttle = NO_CHAT_PACE, ...overrides }: TestBotSetup = {},
): Promise<BuiltBot> {
  const logs: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(line) });
  const service = overrides.service ?? (await openService(indexDir, await tinyEmbedder()));
  // Telegram's per-chat pace (1/s) would only slow the tests down.
  const state = openEmbeddedState({ dataDir: stateDir, logger, throttle });
  const bot = createBot({
    token: TOKEN,
    apiRoot: server.config.apiURL,
    rateLimitPerMinute: 1000,
    state,
    logger: logger,
    answerCount: 3,
    ...overrides,
    service,
  });
  const calls: ApiCall[] = [];
  const violations: string[] = [];
  bot.api.config.use((prev, method, payload, signal) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    violations.push(...outgoingProblems(method, payload as Record<string, unknown>));
    return prev(method, payload, signal);
  });
  return {
    bot,
    service,
    state,
    logger,
    logs,
    calls,
    stateDir,
    violations,
    close: async () => {
      service.close();
      await state.close();
      if (violations.length) throw new Error(`replies Telegram would reject:\n${violations.join('\n')}`);
    },
  };
}

/** Our bot (buildTestBot) long-polling the emulator, its command menu set, as `npm start` runs it. */
export async function startTestBot(
  server: TelegramServer,
  indexDir: string,
  setup: TestBotSetup = {},
): Promise<TestBot> {
  const { state: _state, logger, close, ...built } = await buildTestBot(server, indexDir, setup);
  const running = await startPolling(built.bot, logger);
  await setCommandMenu(built.bot.api, logger, setup.admins);
  return {
    ...built,
    running,
    stop: async () => {
      await running.stop();
      await close();
    },
  };
}

/**
 * `npm start` as its own process with the tiny model, its bot talking to the
 * Bot API at `apiRoot` (the emulator, or a proxy in front of it), once it has
 * printed `readyLine`; stopped at once when it does not get there.
 */
export async function startBotProcess(
  apiRoot: string,
  env: Record<string, string>,
  { readyLine = 'bot running (long polling)', ms = 60_000 } = {},
): Promise<CliProcess> {
  const bot = new CliProcess(
    'start',
    [],
    tinyModelEnv({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, LOG_LEVEL: 'info', ...env }),
  );
  try {
    await bot.printed(readyLine, ms);
  } catch (error) {
    await bot.stop('SIGKILL');
    throw error;
  }
  return bot;
}

export type BotMessage = {
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
};

/** Waits until the bot has sent `count` messages to the client's chat, and returns them. */
export async function botMessages(client: EmulatorClient, count: number, timeoutMs = 15_000): Promise<BotMessage[]> {
  const received: BotMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    received.push(...(await pendingMessages(client)));
    if (received.length < count) await new Promise((r) => setTimeout(r, 50));
  }
  if (received.length < count)
    throw new Error(`expected ${count} bot messages, got ${received.length}: ${JSON.stringify(received)}`);
  return received;
}

/**
 * What the bot sent to the client's chat since the last look: one request to
 * the emulator's client endpoint. (The emulator's own client.getUpdates() goes
 * on polling after its timeout and swallows what arrives later.)
 */
async function pendingMessages(client: EmulatorClient): Promise<BotMessage[]> {
  const { url, botToken, chatId } = client as unknown as { url: string; botToken: string; chatId: number };
  const response = await fetch(`${url}/getUpdates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: botToken, chatId }),
  });
  const { result } = (await response.json()) as { result: { message: BotMessage }[] };
  return result.map((u) => u.message);
}

/** Expects silence: nothing sent to the client's chat for a while. */
export async function noBotMessage(client: EmulatorClient, waitMs = 1500): Promise<void> {
  await new Promise((r) => setTimeout(r, waitMs));
  const messages = await pendingMessages(client);
  if (messages.length > 0) throw new Error(`expected silence, got ${JSON.stringify(messages)}`);
}

/** Waits for the bot to make a Bot API call matching `test`. */
export async function waitForCall(
  bot: TestBot,
  test: (call: ApiCall) => boolean,
  timeoutMs = 10_000,
): Promise<ApiCall> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = bot.calls.find(test);
    if (call) return call;
    if (Date.now() > deadline)
      throw new Error(`no matching API call; calls: ${JSON.stringify(bot.calls.map((c) => c.method))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Checks HTML the way Telegram's parser does (see telegram-rules.ts); throws why it would be rejected. */
export function assertTelegramHtml(html: string): void {
  parseTelegramHtml(html);
}

import { createServer, type Server } from 'node:http';
import { type RunnerHandle, run } from '@grammyjs/runner';
import { type Bot, webhookCallback } from 'grammy';
import type { Logger } from '../log.js';
import type { BotContext } from './context.js';

export interface RunningBot {
  /** Stops taking updates and lets the ones under way finish. */
  stop(): Promise<void>;
}

/** The updates the bot handles: everything else is never sent to it. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query'] as const;

/** Long polling: how eagerly the runner fetches (0 = fewer requests, 1 = lower latency) and its longest pause. */
const POLLING = { speedTrafficBalance: 0.2, maxDelayMilliseconds: 250 };

/** Long polling with concurrent handling (@grammyjs/runner). */
export async function startPolling(bot: Bot<BotContext>, logger: Logger): Promise<RunningBot> {
  await bot.init();
  await bot.api.deleteWebhook().catch(() => undefined); // polling and a webhook exclude each other
  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: ALLOWED_UPDATES } },
    source: POLLING,
  });
  logger.info({ bot: bot.botInfo.username }, 'bot running (long polling)');
  return {
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

/** Webhook mode: an HTTP server Telegram posts updates to, registered with setWebhook. */
export async function startWebhook(
  bot: Bot<BotContext>,
  logger: Logger,
  { url, port, secret }: { url: string; port: number; secret?: string },
): Promise<RunningBot> {
  await bot.init();
  const handle = webhookCallback(bot, 'http', { secretToken: secret });
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === new URL(url).pathname) return void handle(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: ALLOWED_UPDATES });
  logger.info({ bot: bot.botInfo.username, port }, 'bot running (webhook)');
  return { stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

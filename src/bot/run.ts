import { type RunnerHandle, run } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { Logger } from '../log.js';
import type { BotContext } from './context.js';
import { initBot } from './network.js';
import type { UpdateLeases } from './state/leases.js';
import { WEBHOOK_DEFAULTS, WebhookServer, type WebhookServerOptions } from './webhook.js';

export interface RunningBot {
  /** Stops taking updates and lets the ones under way finish. */
  stop(): Promise<void>;
}

/** The updates the bot handles: everything else is never sent to it. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query'] as const;

/** Long polling: how eagerly the runner fetches (0 = fewer requests, 1 = lower latency) and its longest pause. */
const POLLING = { speedTrafficBalance: 0.2, maxDelayMilliseconds: 250 };

/** The Bot API server a bot talks to, for log lines. */
function apiRootOf(bot: Bot<BotContext>): string {
  return (bot.api.raw as unknown as { options?: { apiRoot?: string } }).options?.apiRoot ?? 'https://api.telegram.org';
}

/**
 * Long polling with concurrent handling (@grammyjs/runner). Network failures
 * of getUpdates are retried and logged by the bot's networkRetry transformer,
 * so the runner's own retries (silent here) never start.
 */
export async function startPolling(
  bot: Bot<BotContext>,
  logger: Logger,
  apiRoot = apiRootOf(bot),
): Promise<RunningBot> {
  await initBot(bot, logger, apiRoot);
  await bot.api.deleteWebhook().catch(() => undefined); // polling and a webhook exclude each other
  const runner: RunnerHandle = run(bot, {
    runner: { fetch: { allowed_updates: ALLOWED_UPDATES }, silent: true },
    source: POLLING,
  });
  logger.info({ bot: bot.botInfo.username }, 'bot running (long polling)');
  return {
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}

export interface WebhookOptions extends Omit<WebhookServerOptions, 'path' | 'logger' | 'leases'> {
  /** The public HTTPS address Telegram posts to (WEBHOOK_URL); its path is served. */
  url: string;
  leases: UpdateLeases;
}

/** Webhook mode: our WebhookServer, registered with setWebhook. */
export async function startWebhook(
  bot: Bot<BotContext>,
  logger: Logger,
  options: WebhookOptions,
  apiRoot = apiRootOf(bot),
): Promise<RunningBot> {
  await initBot(bot, logger, apiRoot);
  const server = new WebhookServer(bot, { ...options, path: new URL(options.url).pathname, logger });
  await server.listen();
  await bot.api.setWebhook(options.url, { secret_token: options.secret, allowed_updates: ALLOWED_UPDATES });
  logger.info(
    { bot: bot.botInfo.username, host: options.host ?? WEBHOOK_DEFAULTS.host, port: options.port },
    'bot running (webhook)',
  );
  return { stop: () => server.close() };
}

import { Bot, type Context } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler, type APIThrottlerOptions } from '@grammyjs/transformer-throttler';
import { redactSecrets } from '../log.js';
import type { BotDeps } from './context.js';
import { buttons } from './handlers/buttons.js';
import { commands } from './handlers/commands.js';
import { inline } from './handlers/inline.js';
import { questions } from './handlers/questions.js';
import { allowlist, errorBoundary, rateLimit } from './middleware.js';

export interface BotOptions extends BotDeps {
  token: string;
  /** Another Bot API server (a local one, or a test emulator). */
  apiRoot?: string;
  allowedChatIds?: ReadonlySet<number>;
  rateLimitPerMinute: number;
  /** Outgoing rate limits; the default follows Telegram's (30/s overall, 1/s per chat, 20/min per group). */
  throttle?: APIThrottlerOptions;
}

/**
 * The bot, composed top to bottom: errors are caught first, then who may
 * talk to it and how often, then what it does.
 */
export function createBot(options: BotOptions): Bot<Context> {
  const bot = new Bot<Context>(options.token, options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {});
  // Outgoing calls: retried on flood waits (429) and server errors, and throttled to Telegram's limits.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  bot.api.config.use(apiThrottler(options.throttle));

  bot.use(errorBoundary(options.logger));
  bot.use(allowlist(options.allowedChatIds));
  bot.use(rateLimit(options.rateLimitPerMinute));
  bot.use(commands(options));
  bot.use(buttons(options));
  bot.use(inline(options));
  bot.use(questions(options));

  // The last net, for errors outside the middleware (the boundary catches the rest).
  bot.catch((error) => options.logger.error({ err: redactSecrets(error.error) }, 'unhandled bot error'));
  return bot;
}

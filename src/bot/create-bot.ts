import { autoRetry } from '@grammyjs/auto-retry';
import { type APIThrottlerOptions, apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot } from 'grammy';
import { i18n } from '../i18n/i18n.js';
import { redactSecrets } from '../log.js';
import type { BotContext, BotDeps } from './context.js';
import { admin } from './handlers/admin.js';
import { buttons } from './handlers/buttons.js';
import { commands } from './handlers/commands.js';
import { inline } from './handlers/inline.js';
import { questions } from './handlers/questions.js';
import { allowlist, errorBoundary, rateLimit } from './middleware.js';

export interface BotOptions extends BotDeps {
  token: string;
  /** Another Bot API server (a local one, or a test emulator). Default: Telegram's. */
  apiRoot?: string;
  /** Chats (and, for inline queries, users) the bot serves. Default: everyone. */
  allowedChatIds?: ReadonlySet<number>;
  /** Questions a user may ask per minute. */
  rateLimitPerMinute: number;
  /** Outgoing rate limits. Default: Telegram's (30/s overall, 1/s per chat, 20/min per group). */
  throttle?: APIThrottlerOptions;
}

/** Retries of an outgoing call on a flood wait (429) or a server error, and the longest wait accepted. */
const RETRY = { maxRetryAttempts: 3, maxDelaySeconds: 30 };

/**
 * The bot, composed top to bottom: errors are caught first, then the
 * reader's language, then who may talk to it and how often, then what it does.
 */
export function createBot(options: BotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {});
  bot.api.config.use(autoRetry(RETRY));
  bot.api.config.use(apiThrottler(options.throttle));

  bot.use(i18n);
  bot.use(errorBoundary(options.logger));
  // Editors are always served in their private chats, allowlist or not.
  bot.use(allowlist(options.allowedChatIds && new Set([...options.allowedChatIds, ...(options.admins ?? [])])));
  bot.use(rateLimit(options.rateLimitPerMinute));
  bot.use(admin(options));
  bot.use(commands(options));
  bot.use(buttons(options));
  bot.use(inline(options));
  bot.use(questions(options));

  // The last net, for errors outside the middleware (the boundary catches the rest).
  bot.catch((error) => options.logger.error({ err: redactSecrets(error.error) }, 'unhandled bot error'));
  return bot;
}

import { autoRetry } from '@grammyjs/auto-retry';
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
import { API_TIMEOUT_SECONDS, networkRetry } from './network.js';
import type { BotState } from './state/state.js';

export interface BotOptions extends Omit<BotDeps, 'buttons' | 'conversations'> {
  token: string;
  /** Another Bot API server (a local one, or a test emulator). Default: Telegram's. */
  apiRoot?: string;
  /** Chats (and, for inline queries, users) the bot serves. Default: everyone. */
  allowedChatIds?: ReadonlySet<number>;
  /** Questions a user may ask per minute. */
  rateLimitPerMinute: number;
  /** Where the bot keeps its buttons, rate-limit counters and outgoing throttle (embedded or Redis). */
  state: Pick<BotState, 'buttons' | 'conversations' | 'rateLimitStore' | 'throttle'>;
}

/**
 * Retries of an outgoing call that Telegram answers with a flood wait (429)
 * or a server error, and the longest wait accepted. Calls that get no answer
 * at all are networkRetry's: auto-retry would retry those forever.
 */
const TELEGRAM_ERRORS_RETRY = { maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: true };

/**
 * The bot, composed top to bottom: errors are caught first, then the
 * reader's language, then who may talk to it and how often, then what it
 * does. Outgoing calls are throttled to Telegram's limits, then retried.
 */
export function createBot(options: BotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, {
    client: { timeoutSeconds: API_TIMEOUT_SECONDS, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.api.config.use(networkRetry(options.logger));
  bot.api.config.use(autoRetry(TELEGRAM_ERRORS_RETRY));
  bot.api.config.use(options.state.throttle);

  const deps: BotDeps = { ...options, buttons: options.state.buttons, conversations: options.state.conversations };
  bot.use(i18n);
  bot.use(errorBoundary(options.logger));
  // Editors are always served in their private chats, allowlist or not.
  bot.use(allowlist(options.allowedChatIds && new Set([...options.allowedChatIds, ...(options.admins ?? [])])));
  bot.use(rateLimit(options.rateLimitPerMinute, options.state.rateLimitStore));
  bot.use(admin(deps));
  bot.use(commands(deps));
  bot.use(buttons(deps));
  bot.use(inline(deps));
  bot.use(questions(deps));

  // The last net, for errors outside the middleware (the boundary catches the rest).
  bot.catch((error) => options.logger.error({ err: redactSecrets(error.error) }, 'unhandled bot error'));
  return bot;
}

import { limit } from '@grammyjs/ratelimiter';
import type { MiddlewareFn } from 'grammy';

/** What @grammyjs/ratelimiter needs of a Redis client (ioredis, or ResilientCounter). */
interface RedisType {
  incr(key: string): Promise<number>;
  pexpire(key: string, milliseconds: number): Promise<number>;
}

import { type Logger, redactSecrets } from '../log.js';
import { metrics } from '../ops/metrics.js';
import type { BotContext } from './context.js';

/** The per-user window of RATE_LIMIT_PER_MINUTE. */
const RATE_WINDOW_MS = 60_000;

/**
 * Catches whatever a handler throws: the error is logged, the user gets a
 * short apology, and the bot goes on with the next update.
 */
export function errorBoundary(logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      logger.error({ err: redactSecrets(error), updateId: ctx.update.update_id }, 'update failed');
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t('failure') });
        else if (ctx.chat) await ctx.reply(ctx.t('failure'));
      } catch (replyError) {
        logger.warn({ err: redactSecrets(replyError) }, 'could not send the apology');
      }
    }
  };
}

/** Only the listed chats (and, for inline queries, users) are served; others get a refusal. */
export function allowlist(allowed: ReadonlySet<number> | undefined): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!allowed) return next();
    const id = ctx.chat?.id ?? ctx.from?.id;
    if (id !== undefined && allowed.has(id)) return next();
    metrics.updatesRefused.inc({ reason: 'chat not allowed' });
    if (ctx.inlineQuery) return void (await ctx.answerInlineQuery([], { cache_time: 0, is_personal: true }));
    if (ctx.callbackQuery) return void (await ctx.answerCallbackQuery({ text: ctx.t('not-allowed') }));
    if (ctx.chat?.type === 'private' || ctx.message) await ctx.reply(ctx.t('not-allowed'));
  };
}

/**
 * At most `perMinute` updates per user per minute; the first one over gets a
 * polite reply. The counters live in `store` (this process's memory, or
 * Redis, shared by every replica).
 */
export function rateLimit(
  perMinute: number,
  store: 'MEMORY_STORE' | RedisType = 'MEMORY_STORE',
): MiddlewareFn<BotContext> {
  return limit<BotContext, RedisType>({
    timeFrame: RATE_WINDOW_MS,
    limit: perMinute,
    storageClient: store,
    keyGenerator: (ctx) => ctx.from?.id.toString(),
    onLimitExceeded: async (ctx) => {
      metrics.updatesRefused.inc({ reason: 'rate limit' });
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t('rate-limited') });
      else if (ctx.message) await ctx.reply(ctx.t('rate-limited'));
    },
  }) as MiddlewareFn<BotContext>;
}

import type { Context, MiddlewareFn } from 'grammy';
import { limit } from '@grammyjs/ratelimiter';
import { redactSecrets, type Logger } from '../log.js';
import { TEXTS } from './texts.js';

/**
 * Catches whatever a handler throws: the error is logged, the user gets a
 * short apology, and the bot goes on with the next update.
 */
export function errorBoundary(logger: Logger): MiddlewareFn<Context> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      logger.error({ err: redactSecrets(error), updateId: ctx.update.update_id }, 'update failed');
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: TEXTS.failure });
        else if (ctx.chat) await ctx.reply(TEXTS.failure);
      } catch (replyError) {
        logger.warn({ err: redactSecrets(replyError) }, 'could not send the apology');
      }
    }
  };
}

/** Only the listed chats (and, for inline queries, users) are served; others get a refusal. */
export function allowlist(allowed: ReadonlySet<number> | undefined): MiddlewareFn<Context> {
  return async (ctx, next) => {
    if (!allowed) return next();
    const id = ctx.chat?.id ?? ctx.from?.id;
    if (id !== undefined && allowed.has(id)) return next();
    if (ctx.inlineQuery) return ctx.answerInlineQuery([], { cache_time: 0, is_personal: true });
    if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: TEXTS.notAllowed });
    if (ctx.chat?.type === 'private' || ctx.message) await ctx.reply(TEXTS.notAllowed);
  };
}

/** At most `perMinute` updates per user per minute; the first one over gets a polite reply. */
export function rateLimit(perMinute: number): MiddlewareFn<Context> {
  return limit({
    timeFrame: 60_000,
    limit: perMinute,
    keyGenerator: (ctx) => ctx.from?.id.toString(),
    onLimitExceeded: async (ctx) => {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: TEXTS.rateLimited });
      else if (ctx.message) await ctx.reply(TEXTS.rateLimited);
    },
  }) as MiddlewareFn<Context>;
}

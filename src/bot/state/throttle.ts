import { type APIThrottlerOptions, apiThrottler } from '@grammyjs/transformer-throttler';
import type { Transformer } from 'grammy';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Bottleneck settings for the three limiters of one process: overall, per group chat, per private chat. */
export type ThrottleLimits = Required<APIThrottlerOptions>;

/**
 * Telegram's limits on outgoing messages: about 30 a second overall, one a
 * second to a chat, twenty a minute to a group.
 */
export const TELEGRAM_LIMITS: ThrottleLimits = {
  global: { reservoir: 30, reservoirRefreshAmount: 30, reservoirRefreshInterval: 1000 },
  group: {
    maxConcurrent: 1,
    minTime: 1000,
    reservoir: 20,
    reservoirRefreshAmount: 20,
    reservoirRefreshInterval: 60_000,
  },
  out: { maxConcurrent: 1, minTime: 1000 },
};

/** Calls that are not messages: Telegram does not count them against a chat's pace. */
const UNTHROTTLED = new Set(['sendChatAction', 'answerCallbackQuery', 'answerInlineQuery', 'getFile', 'setMyCommands']);

/** The outgoing throttle of one process (@grammyjs/transformer-throttler). */
export function localThrottle(limits: ThrottleLimits = TELEGRAM_LIMITS): Transformer {
  const throttled = apiThrottler(limits);
  return (prev, method, payload, signal) =>
    UNTHROTTLED.has(method) ? prev(method, payload, signal) : throttled(prev, method, payload, signal);
}

/** A budget of `points` calls per `seconds`, counted in Redis; in this process's memory while Redis is unreachable. */
function budget(redis: Redis, keyPrefix: string, points: number, seconds: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration: seconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: seconds }),
  });
}

/** Waits until the budget has a call to spare for `key`, and spends it. */
async function spend(limiter: RateLimiterRedis, key: string): Promise<void> {
  for (;;) {
    try {
      await limiter.consume(key);
      return;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      await new Promise((resolve) => setTimeout(resolve, rejection.msBeforeNext));
    }
  }
}

/**
 * The outgoing throttle shared by every replica through Redis
 * (rate-limiter-flexible), so that N replicas together keep to Telegram's
 * limits: a call waits for its chat's budget, then for the global one.
 * While Redis is unreachable, each replica counts in its own memory (its
 * "insurance" limiter) and keeps to the limits alone.
 */
export function sharedThrottle(redis: Redis): Transformer {
  const global = budget(redis, 'telegram-global', 30, 1);
  const chat = budget(redis, 'telegram-chat', 1, 1);
  const group = budget(redis, 'telegram-group', 20, 60);
  return async (prev, method, payload, signal) => {
    if (payload && 'chat_id' in payload && !UNTHROTTLED.has(method)) {
      const chatId = Number(payload.chat_id);
      await spend(chatId < 0 ? group : chat, String(chatId));
      await spend(global, 'all');
    }
    return prev(method, payload, signal);
  };
}

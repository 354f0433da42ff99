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

/**
 * Telegram's overall limit, kept by spacing messages: each takes the next
 * free moment, at least this long after the one before, so that no second,
 * however it falls, holds more than 30 (30 × 35 ms = 1,050 ms, which leaves
 * 50 ms for timers and round trips to run late), about 28.5 a second at full
 * load. A budget of 30 per one-second window would let up to 60 through
 * across a window's boundary.
 */
export const GLOBAL_SPACING_MS = 35;

/**
 * Reserves the next free moment in Redis, atomically for every replica (the
 * generic cell rate algorithm): the key holds the first moment after the last
 * reservation; returns how many ms the caller waits before sending. Redis's
 * clock is the one clock all replicas share.
 */
const RESERVE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local spacing = tonumber(ARGV[1])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], slot + spacing, 'PX', slot + spacing - now + 1000)
return slot - now`;

/**
 * Message slots GLOBAL_SPACING_MS apart, reserved in Redis by every replica;
 * in this process's memory while Redis is unreachable (each replica then
 * keeps to the limit alone).
 */
class SharedPace {
  private nextLocal = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key = 'telegram-global-next',
  ) {}

  /** Resolves when this call may go out. */
  async wait(): Promise<void> {
    let ms: number;
    try {
      ms = Number(await this.redis.eval(RESERVE_SLOT, 1, this.key, GLOBAL_SPACING_MS));
    } catch {
      const now = Date.now();
      const slot = Math.max(this.nextLocal, now);
      this.nextLocal = slot + GLOBAL_SPACING_MS;
      ms = slot - now;
    }
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
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
 * limits: a call waits for its chat's budget, then for its overall slot.
 * While Redis is unreachable, each replica counts in its own memory (its
 * "insurance" limiter) and keeps to the limits alone.
 */
export function sharedThrottle(redis: Redis): Transformer {
  const global = new SharedPace(redis);
  const chat = budget(redis, 'telegram-chat', 1, 1);
  const group = budget(redis, 'telegram-group', 20, 60);
  return async (prev, method, payload, signal) => {
    if (payload && 'chat_id' in payload && !UNTHROTTLED.has(method)) {
      const chatId = Number(payload.chat_id);
      await spend(chatId < 0 ? group : chat, String(chatId));
      await global.wait();
    }
    return prev(method, payload, signal);
  };
}

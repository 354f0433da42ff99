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
 * Telegram's overall limit, kept by admitting messages at least this long
 * apart: at most 25 admissions in any second, however it falls. A message is
 * sent just after its admission; a late event loop can hold an admitted one
 * back into the next second, but each replica has at most one admitted and
 * unsent, so N replicas send at most 25 + N in any second: 30 up to five
 * replicas. (A budget of 30 per one-second window would let up to 60 through
 * across a window's boundary.)
 */
export const GLOBAL_SPACING_MS = 40;

/**
 * Admits one message now if the last one admitted (by any replica) was at
 * least ARGV[1] ms ago, by Redis's clock, the one clock all replicas share;
 * otherwise admits nothing and returns how many ms to wait before asking
 * again. Nothing is reserved ahead: a slot reserved for later is kept only
 * if the caller's timer fires on time, and on a late event loop every timer
 * due meanwhile fires at once (a burst Telegram answers with 429).
 */
const ADMIT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local next = tonumber(redis.call('GET', KEYS[1]) or '0')
if next > now then return next - now end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 1000)
return 0`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Messages GLOBAL_SPACING_MS apart across every replica, admitted in Redis
 * the moment before they are sent; in this process's memory while Redis is
 * unreachable (each replica then keeps to the limit alone). A replica asks
 * for one message at a time, in order, so that at most one admission per
 * replica can be waiting for a late event loop to send it.
 */
class SharedPace {
  private nextLocal = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key = 'telegram-global-next',
  ) {}

  /** Resolves when this call may go out: send it straight away. */
  wait(): Promise<void> {
    const turn = this.queue.then(() => this.admit());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async admit(): Promise<void> {
    for (;;) {
      const ms = await this.ask();
      if (ms <= 0) return;
      await sleep(ms);
    }
  }

  /** 0 when admitted, else the ms to wait before asking again. */
  private async ask(): Promise<number> {
    try {
      return Number(await this.redis.eval(ADMIT, 1, this.key, GLOBAL_SPACING_MS));
    } catch {
      const now = Date.now();
      if (this.nextLocal > now) return this.nextLocal - now;
      this.nextLocal = now + GLOBAL_SPACING_MS;
      return 0;
    }
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
      await sleep(rejection.msBeforeNext);
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

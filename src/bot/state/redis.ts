import { Redis } from 'ioredis';
import { type Logger, redactSecrets, registerSecret } from '../../log.js';
import { metrics } from '../../ops/metrics.js';

/** Longest pause between reconnection attempts while Redis is down. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Connects to Redis for the bot's shared state. Commands fail at once while
 * the server is unreachable (no offline queue), so that nothing waits on it:
 * every user of the connection has a way to go on without it. The
 * connection comes back by itself; both the loss and the return are logged,
 * once each.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const password = safeUrl(url)?.password;
  registerSecret(password ? decodeURIComponent(password) : undefined);
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
  });
  let lost = false;
  redis.on('ready', () => {
    if (lost) logger.info('redis connection restored');
    lost = false;
  });
  redis.on('error', (error) => {
    metrics.storeErrors.inc({ store: 'redis' });
    if (!lost)
      logger.error(
        { err: redactSecrets(error) },
        'redis connection lost: working without shared state until it is back',
      );
    lost = true;
  });
  redis.on('close', () => {
    if (!lost) logger.error('redis connection lost: working without shared state until it is back');
    lost = true;
  });
  return redis;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Waits until the connection is ready, or `ms` has passed (then the bot starts degraded and Redis catches up). */
export function redisReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

/**
 * The per-user counters of @grammyjs/ratelimiter in Redis, shared by every
 * replica. While Redis is unreachable, this process counts on its own, so a
 * user is still limited (per replica) and never refused for Redis's sake.
 */
export class ResilientCounter {
  private readonly local = new Map<string, { count: number; expires: number }>();

  constructor(private readonly redis: Redis) {}

  async incr(key: string): Promise<number> {
    if (this.redis.status === 'ready') {
      try {
        return await this.redis.incr(key);
      } catch {
        // fall through to the local count
      }
    }
    const now = Date.now();
    const entry = this.local.get(key);
    if (!entry || entry.expires <= now) {
      this.local.set(key, { count: 1, expires: Number.POSITIVE_INFINITY });
      return 1;
    }
    return ++entry.count;
  }

  async pexpire(key: string, milliseconds: number): Promise<number> {
    const entry = this.local.get(key);
    if (entry && entry.expires === Number.POSITIVE_INFINITY) entry.expires = Date.now() + milliseconds;
    if (this.redis.status !== 'ready') return 1;
    try {
      return await this.redis.pexpire(key, milliseconds);
    } catch {
      return 1;
    }
  }
}

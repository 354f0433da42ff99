import type { Transformer } from 'grammy';
import { sharedThrottle } from '../../src/bot/state/throttle.js';
import type { redisServerForTests } from './redis-server.js';

/** A replica's throttle on its own Redis connection, recording when each call goes out. */
export function throttledReplica(
  redis: ReturnType<typeof redisServerForTests>,
  sentAt: number[],
): (method: string, payload: Record<string, unknown>) => Promise<unknown> {
  const throttle = sharedThrottle(redis.connect());
  const send = (async () => {
    sentAt.push(performance.now());
    return { ok: true, result: true };
  }) as unknown as Parameters<Transformer>[0];
  return (method, payload) => throttle(send, method as never, payload as never);
}

/** The most calls in any one-second window, however it falls. */
export function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

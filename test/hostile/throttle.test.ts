import type { Transformer } from 'grammy';
import { describe, expect, it } from 'vitest';
import { sharedThrottle } from '../../src/bot/state/throttle.js';
import { redisServerForTests } from '../helpers/redis-server.js';

const redis = redisServerForTests();

/** A replica's throttle on its own Redis connection, recording when each call goes out. */
function replica(sentAt: number[]): (method: string, payload: Record<string, unknown>) => Promise<unknown> {
  const throttle = sharedThrottle(redis.connect());
  const send = (async () => {
    sentAt.push(performance.now());
    return { ok: true, result: true };
  }) as unknown as Parameters<Transformer>[0];
  return (method, payload) => throttle(send, method as never, payload as never);
}

/** The most calls in any one-second window, however it falls. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Blocks the event loop for `ms` (as a busy machine or a long synchronous task does). */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the shared outgoing throttle on a late event loop (real redis-server)', () => {
  it('sends no burst when timers fire late: at most 30 messages in any second', async () => {
    const sentAt: number[] = [];
    const [a, b] = [replica(sentAt), replica(sentAt)];
    // The event loop stalls for 300 ms, runs for 300 ms, and so on, while 150 messages wait
    // to go out: every timer due in a stall fires at its end, all at once.
    let stalls: NodeJS.Timeout | undefined;
    const stallAgain = () => {
      stall(300);
      stalls = setTimeout(stallAgain, 300);
    };
    stalls = setTimeout(stallAgain, 100);
    try {
      await Promise.all(
        Array.from({ length: 75 }, (_, chat) => [
          a('sendMessage', { chat_id: 1000 + chat, text: 'a' }),
          b('sendMessage', { chat_id: 5000 + chat, text: 'b' }),
        ]).flat(),
      );
    } finally {
      clearTimeout(stalls);
    }
    expect(sentAt).toHaveLength(150);
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(30);
  }, 60_000);
});

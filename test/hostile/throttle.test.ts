import { describe, expect, it } from 'vitest';
import { redisServerForTests } from '../helpers/redis-server.js';
import { busiestSecond, throttledReplica } from '../helpers/throttle.js';

const redis = redisServerForTests();

const replica = (sentAt: number[]) => throttledReplica(redis, sentAt);

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

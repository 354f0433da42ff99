import { describe, expect, it } from 'vitest';
import { redisServerForTests } from '../../helpers/redis-server.js';
import { busiestSecond, throttledReplica } from '../../helpers/throttle.js';

const redis = redisServerForTests();

const replica = (sentAt: number[]) => throttledReplica(redis, sentAt);

describe('the outgoing throttle shared through Redis (real redis-server)', () => {
  it('keeps two replicas together to 30 messages in any second, however the second falls', async () => {
    const sentAt: number[] = [];
    const [a, b] = [replica(sentAt), replica(sentAt)];
    // 100 chats, each sent one message by each replica at once: 200 calls wanting out together.
    await Promise.all(
      Array.from({ length: 100 }, (_, chat) => [
        a('sendMessage', { chat_id: 1000 + chat, text: 'a' }),
        b('sendMessage', { chat_id: 5000 + chat, text: 'b' }),
      ]).flat(),
    );
    expect(sentAt).toHaveLength(200);
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(30);
    // And it does not starve them: 25 a second when the machine is idle, well over half of it when busy.
    const seconds = (Math.max(...sentAt) - Math.min(...sentAt)) / 1000;
    expect(200 / seconds).toBeGreaterThan(12);
  }, 30_000);

  it('lets calls that are not messages through without waiting', async () => {
    const sentAt: number[] = [];
    const a = replica(sentAt);
    await Promise.all(Array.from({ length: 60 }, (_, i) => a('sendChatAction', { chat_id: i, action: 'typing' })));
    expect(busiestSecond(sentAt)).toBe(60);
  });
});

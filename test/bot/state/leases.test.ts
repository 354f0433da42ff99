import { describe, expect, it } from 'vitest';
import { MemoryLeases, RedisLeases, type UpdateLeases } from '../../../src/bot/state/leases.js';
import { redisServerForTests } from '../../helpers/redis-server.js';

const redis = redisServerForTests();

function redisLeases(owner: string) {
  const client = redis.connect();
  return { client, leases: new RedisLeases(client, owner, `test-${owner}-${Date.now()}:`) };
}

/** Two replicas' views of one lease store. */
const stores: [string, () => [UpdateLeases, UpdateLeases]][] = [
  [
    'memory (one process)',
    () => {
      const shared = new MemoryLeases();
      return [shared, shared];
    },
  ],
  [
    'Redis (replicas)',
    () => {
      const client = redis.connect();
      const prefix = `lease-${Math.random()}:`;
      return [new RedisLeases(client, 'a', prefix), new RedisLeases(client, 'b', prefix)];
    },
  ],
];

for (const [name, make] of stores) {
  describe(`update leases, ${name}`, () => {
    it('lets one replica take an update; the other sees it busy, then done', async () => {
      const [a, b] = make();
      expect(await a.acquire(1)).toBe('acquired');
      expect(await b.acquire(1)).toBe('busy');
      await a.complete(1);
      expect(await b.acquire(1)).toBe('done');
      expect(await a.acquire(1)).toBe('done');
    });

    it('gives a released update back', async () => {
      const [a, b] = make();
      expect(await a.acquire(2)).toBe('acquired');
      await a.release(2);
      expect(await b.acquire(2)).toBe('acquired');
    });
  });
}

describe('Redis leases', () => {
  it('only the holder can renew or release its lease', async () => {
    const client = redis.connect();
    const a = new RedisLeases(client, 'a', 'owner-test:');
    const b = new RedisLeases(client, 'b', 'owner-test:');
    expect(await a.acquire(3)).toBe('acquired');
    await b.release(3);
    expect(await b.acquire(3)).toBe('busy');
    expect(await client.pttl('owner-test:3')).toBeGreaterThan(0);
  });

  it('expire when the holder stops renewing (a replica that died mid-update)', async () => {
    const { client, leases: a } = redisLeases('dying');
    expect(await a.acquire(4)).toBe('acquired');
    const [key] = await client.keys('test-dying-*:4');
    await client.pexpire(key, 50); // the lease runs out as LEASE_MS would
    await new Promise((r) => setTimeout(r, 100));
    expect(await a.acquire(4)).toBe('acquired');
  });
});

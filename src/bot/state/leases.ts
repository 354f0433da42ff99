import type { Redis } from 'ioredis';
import type { SharedLease } from '../../search/engine.js';

/**
 * Update de-duplication by `update_id`. Telegram delivers a webhook update
 * again when it was not acknowledged in time, and with several replicas the
 * second delivery may reach another one. Before handling an update, a
 * replica takes a lease on it; the lease expires unless renewed, so a
 * replica that dies mid-update gives it back and the redelivery is answered
 * by another. A handled update is remembered as done for a day.
 */
export interface UpdateLeases {
  /**
   * Claims an update: "acquired" (handle it), "done" (handled already:
   * acknowledge), or "busy" (another replica is handling it now).
   */
  acquire(updateId: number): Promise<LeaseResult>;
  /** Extends this replica's lease while it is still handling the update. */
  renew(updateId: number): Promise<void>;
  /** Marks the update handled. */
  complete(updateId: number): Promise<void>;
  /** Gives the update back without handling it (it was refused under load). */
  release(updateId: number): Promise<void>;
}

export type LeaseResult = 'acquired' | 'done' | 'busy';

/** How long a lease lasts without renewal: a dead replica's update is free again after this. */
export const LEASE_MS = 15_000;
/** How long a handled update is remembered (Telegram gives up redelivering well before). */
export const DONE_MS = 24 * 60 * 60 * 1000;

/** Leases in this process's memory: de-duplication for one process (no REDIS_URL). */
export class MemoryLeases implements UpdateLeases {
  private readonly entries = new Map<number, { state: 'working' | 'done'; expires: number }>();

  async acquire(updateId: number): Promise<LeaseResult> {
    const now = Date.now();
    const entry = this.entries.get(updateId);
    if (entry && entry.expires > now) return entry.state === 'done' ? 'done' : 'busy';
    this.sweep(now);
    this.entries.set(updateId, { state: 'working', expires: now + LEASE_MS });
    return 'acquired';
  }

  async renew(updateId: number): Promise<void> {
    const entry = this.entries.get(updateId);
    if (entry?.state === 'working') entry.expires = Date.now() + LEASE_MS;
  }

  async complete(updateId: number): Promise<void> {
    this.entries.set(updateId, { state: 'done', expires: Date.now() + DONE_MS });
  }

  async release(updateId: number): Promise<void> {
    if (this.entries.get(updateId)?.state === 'working') this.entries.delete(updateId);
  }

  /** Forgets expired entries now and then, so the map stays the size of a day's updates. */
  private sweep(now: number): void {
    if (this.entries.size % 1000 !== 0) return;
    for (const [id, entry] of this.entries) if (entry.expires <= now) this.entries.delete(id);
  }
}

const DONE = 'done';

/** Renews a lease only while this replica still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** Deletes a lease only while this replica still holds it. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Leases in Redis, shared by every replica. */
export class RedisLeases implements UpdateLeases {
  constructor(
    private readonly redis: Redis,
    /** This replica's name in its leases. */
    private readonly owner: string,
    private readonly prefix = 'update:',
  ) {}

  async acquire(updateId: number): Promise<LeaseResult> {
    const key = this.prefix + updateId;
    if ((await this.redis.set(key, this.owner, 'PX', LEASE_MS, 'NX')) === 'OK') return 'acquired';
    return (await this.redis.get(key)) === DONE ? 'done' : 'busy';
  }

  async renew(updateId: number): Promise<void> {
    await this.redis.eval(RENEW, 1, this.prefix + updateId, this.owner, LEASE_MS);
  }

  async complete(updateId: number): Promise<void> {
    await this.redis.set(this.prefix + updateId, DONE, 'PX', DONE_MS);
  }

  async release(updateId: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + updateId, this.owner);
  }
}

/** Takes a named lease when it is free, or renews it when this holder has it: 1 when held, 0 when another holder has it. */
const TAKE = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

/** A named lease in Redis (e.g. which replica polls FEEDS): held by one replica until it expires unrenewed. */
export function redisLease(redis: Redis, key: string, holder: string, ttlMs: number): SharedLease {
  return {
    take: async () => (await redis.eval(TAKE, 1, key, holder, Math.ceil(ttlMs))) === 1,
    release: async () => {
      await redis.eval(RELEASE, 1, key, holder);
    },
  };
}

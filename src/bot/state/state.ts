import { join } from 'node:path';
import { RedisAdapter } from '@grammyjs/storage-redis';
import type { StorageAdapter, Transformer } from 'grammy';
import type { Logger } from '../../log.js';
import type { SharedLease } from '../../search/engine.js';
import { BUTTON_TTL_MS, ButtonStore, type StoredButton } from './button-store.js';
import { CONVERSATION_TTL_MS, ConversationStore, type LastQuestion } from './conversations.js';
import { MemoryLeases, RedisLeases, redisLease, type UpdateLeases } from './leases.js';
import { checkStateFile } from './lmdb-check.js';
import { LmdbState } from './lmdb-storage.js';
import { connectRedis, ResilientCounter, redisReady } from './redis.js';
import { localThrottle, sharedThrottle, type ThrottleLimits } from './throttle.js';

/**
 * Everything the bot keeps beyond one update, behind small interfaces with
 * two implementations: embedded (one machine, no setting) and Redis
 * (REDIS_URL: any number of replicas).
 *
 * | what             | embedded                          | Redis                                    |
 * | ---------------- | --------------------------------- | ---------------------------------------- |
 * | button payloads  | LMDB in DATA_DIR                  | @grammyjs/storage-redis                  |
 * | last questions   | LMDB in DATA_DIR                  | @grammyjs/storage-redis                  |
 * | rate limit       | @grammyjs/ratelimiter, in memory  | @grammyjs/ratelimiter on Redis           |
 * | update leases    | in memory                         | Redis (SET NX PX, renewed)               |
 * | outgoing throttle| Bottleneck, in process            | Bottleneck on Redis, shared              |
 */
export interface BotState {
  buttons: ButtonStore;
  /** Each chat's last question, for follow-ups. */
  conversations: ConversationStore;
  leases: UpdateLeases;
  /** The counters of the per-user rate limit: in memory, or a Redis client. */
  rateLimitStore: 'MEMORY_STORE' | ResilientCounter;
  /** The outgoing throttle (a Bot API transformer). */
  throttle: Transformer;
  /**
   * A named lease shared by the replicas (Redis), e.g. which one polls FEEDS;
   * absent for the embedded state, which serves one process.
   */
  lease?(name: string, ttlMs: number): SharedLease;
  /** Another named store with expiring entries (for a feature's own state). */
  storage<T>(name: string, ttlMs: number): StorageAdapter<T>;
  /** Resolves when the store answers, rejects when it does not (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StateOptions {
  /** DATA_DIR: where the embedded store lives. */
  dataDir: string;
  /** REDIS_URL: when set, state is shared through Redis instead. */
  redisUrl?: string;
  /** This replica's name in shared leases (default: host and process id). */
  replica?: string;
  /** Outgoing limits of the embedded state (default: Telegram's). */
  throttle?: ThrottleLimits;
  logger: Logger;
}

/** How long the bot waits for Redis at start before it starts without it (and lets it catch up). */
const REDIS_START_WAIT_MS = 5000;

/** A storage adapter whose keys carry a prefix, so that several stores share one Redis. */
function prefixed<T>(adapter: StorageAdapter<T>, prefix: string): StorageAdapter<T> {
  return {
    read: (key) => adapter.read(prefix + key),
    write: (key, value) => adapter.write(prefix + key, value),
    delete: (key) => adapter.delete(prefix + key),
  };
}

/** The embedded state database's file in DATA_DIR. */
const stateFile = (dataDir: string) => join(dataDir, 'state.lmdb');

/** The embedded state: one machine, nothing to set up. */
export function openEmbeddedState(options: StateOptions): BotState {
  const lmdb = LmdbState.open(stateFile(options.dataDir));
  return {
    buttons: new ButtonStore(lmdb.storage<StoredButton>('buttons', BUTTON_TTL_MS)),
    conversations: new ConversationStore(lmdb.storage<LastQuestion>('conversations', CONVERSATION_TTL_MS)),
    leases: new MemoryLeases(),
    rateLimitStore: 'MEMORY_STORE',
    throttle: localThrottle(options.throttle),
    storage: (name, ttlMs) => lmdb.storage(name, ttlMs),
    ping: async () => lmdb.ping(),
    close: () => lmdb.close(),
  };
}

/** The shared state of replicas, in Redis. */
export async function openRedisState(options: StateOptions & { redisUrl: string }): Promise<BotState> {
  const redis = connectRedis(options.redisUrl, options.logger);
  if (!(await redisReady(redis, REDIS_START_WAIT_MS))) {
    options.logger.error('redis is not reachable yet: starting without shared state; it is used as soon as it answers');
  }
  const replica = options.replica ?? `${process.pid}@${(await import('node:os')).hostname()}`;
  const store = <T>(name: string, ttlMs: number) =>
    prefixed(new RedisAdapter<T>({ instance: redis, ttl: Math.ceil(ttlMs / 1000) }), `${name}:`);
  return {
    buttons: new ButtonStore(store<StoredButton>('button', BUTTON_TTL_MS)),
    conversations: new ConversationStore(store<LastQuestion>('conversation', CONVERSATION_TTL_MS)),
    leases: new RedisLeases(redis, replica),
    rateLimitStore: new ResilientCounter(redis),
    throttle: sharedThrottle(redis),
    lease: (name, ttlMs) => redisLease(redis, `lease:${name}`, replica, ttlMs),
    storage: store,
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      redis.disconnect();
    },
  };
}

/**
 * The state the configuration asks for: Redis when REDIS_URL is set,
 * embedded otherwise (its file checked first: a damaged one is set aside).
 */
export async function openState(options: StateOptions): Promise<BotState> {
  if (options.redisUrl) return openRedisState({ ...options, redisUrl: options.redisUrl });
  await checkStateFile(options.dataDir, stateFile(options.dataDir), options.logger);
  return openEmbeddedState(options);
}

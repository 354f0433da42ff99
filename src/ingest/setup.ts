import { hostname } from 'node:os';
import type { StorageAdapter } from 'grammy';
import type { SearchEngine, SharedLease } from '../search/engine.js';
import type { HostPolicy } from './address.js';
import { FEED_STATE_TTL_MS, FeedStates, type FeedValidators } from './feed-state.js';
import { WebClient } from './http.js';
import { Ingester } from './ingest.js';
import type { ArticleStore } from './store.js';

/** The settings an ingester reads (Config's, from src/config.ts: named here so that ingest does not import config). */
export interface IngestSettings {
  ingest: { policy: HostPolicy; userAgent: string; timeoutMs: number; hostDelayMs: number };
  maxArticleBytes: number;
}

/** A state store's named storage (BotState.storage). */
export type NamedStorage = <T>(name: string, ttlMs: number) => StorageAdapter<T>;

/**
 * An ingester as the configuration asks: the web client with its host
 * policy, robots and politeness; the store the engine keeps its articles in
 * (articleStoreFor); feed validators in the state store.
 */
export function createIngester(
  config: IngestSettings,
  {
    storage,
    store,
    onProgress,
  }: {
    storage?: NamedStorage;
    store: ArticleStore;
    onProgress?: (done: number, total: number) => void;
  },
): { ingester: Ingester; client: WebClient } {
  const { policy, userAgent, timeoutMs, hostDelayMs } = config.ingest;
  const client = new WebClient({ policy, userAgent, timeoutMs, hostDelayMs, maxBytes: config.maxArticleBytes });
  const ingester = new Ingester({
    client,
    store,
    feedStates: storage ? new FeedStates(storage<FeedValidators>('feeds', FEED_STATE_TTL_MS)) : undefined,
    onProgress,
  });
  return { ingester, client };
}

/** The lease's name: one per set of feeds would let two newsrooms share a Redis; one name is enough for one. */
const FEED_LEASE = 'feed-poller';

/**
 * The lease the processes following FEEDS share, so that one polls at a
 * time: in the shared state store when it is shared (Redis), else in the
 * engine's archive when it has one (the database), else none (one process,
 * embedded state: it polls alone).
 */
export function feedLease(
  state: { lease?(name: string, ttlMs: number): SharedLease },
  engine: Pick<SearchEngine, 'archive'>,
): ((ttlMs: number) => SharedLease) | undefined {
  const shared = state.lease?.bind(state);
  if (shared) return (ttlMs) => shared(FEED_LEASE, ttlMs);
  const { archive } = engine;
  if (!archive) return undefined;
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  return (ttlMs) => archive.lease(FEED_LEASE, holder, ttlMs);
}

import type { StorageAdapter } from 'grammy';
import type { Config } from '../config.js';
import { FEED_STATE_TTL_MS, FeedStates, type FeedValidators } from './feed-state.js';
import { WebClient } from './http.js';
import { Ingester } from './ingest.js';
import { type ArticleStore, FileArticleStore } from './store.js';

/** A state store's named storage (BotState.storage). */
export type NamedStorage = <T>(name: string, ttlMs: number) => StorageAdapter<T>;

/**
 * An ingester as the configuration asks: the web client with its host
 * policy, robots and politeness; the local engine's store in CORPUS_DIR (or
 * the `store` given); feed validators in the state store.
 */
export function createIngester(
  config: Config,
  {
    storage,
    store,
    corpusDir = config.corpusDir,
    onProgress,
  }: {
    storage?: NamedStorage;
    store?: ArticleStore;
    corpusDir?: string;
    onProgress?: (done: number, total: number) => void;
  } = {},
): { ingester: Ingester; client: WebClient } {
  const { policy, userAgent, timeoutMs, hostDelayMs } = config.ingest;
  const client = new WebClient({ policy, userAgent, timeoutMs, hostDelayMs, maxBytes: config.maxArticleBytes });
  const ingester = new Ingester({
    client,
    store: store ?? new FileArticleStore(corpusDir, config.maxArticleBytes),
    feedStates: storage ? new FeedStates(storage<FeedValidators>('feeds', FEED_STATE_TTL_MS)) : undefined,
    onProgress,
  });
  return { ingester, client };
}

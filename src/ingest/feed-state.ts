import type { StorageAdapter } from 'grammy';

/** What the last response of a feed said, for a conditional request next time. */
export interface FeedValidators {
  etag?: string;
  lastModified?: string;
}

/** Feed validators are kept this long after the feed was last read. */
export const FEED_STATE_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * The ETag and Last-Modified of each feed and sitemap, in the bot's state
 * store (LMDB in DATA_DIR, or Redis with REDIS_URL), so that every replica
 * and the command line send the same conditional requests and an unchanged
 * feed costs one 304.
 */
export class FeedStates {
  constructor(private readonly storage: StorageAdapter<FeedValidators>) {}

  async get(url: string): Promise<FeedValidators | undefined> {
    return (await this.storage.read(url)) ?? undefined;
  }

  async set(url: string, validators: FeedValidators): Promise<void> {
    if (!validators.etag && !validators.lastModified) return void (await this.storage.delete(url));
    await this.storage.write(url, validators);
  }

  /** The request headers that make a request conditional on the feed having changed. */
  static headers(validators: FeedValidators | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    return headers;
  }
}

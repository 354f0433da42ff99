import type { SharedLease } from '../search/engine.js';
import type { IngestSummary } from './ingest.js';

export interface FollowOptions {
  /** One poll: reads the feeds, stores what is new and updates the index. */
  poll: () => Promise<IngestSummary>;
  intervalMs: number;
  /**
   * Shared by every process that follows the same feeds (the replicas): only
   * its holder polls, so N replicas cost one request per feed per poll. It
   * lasts LEASE_INTERVALS polls unrenewed, so a holder that dies hands the
   * feeds over within a poll or two. Without it, this process polls alone.
   */
  lease?: (ttlMs: number) => SharedLease;
  onPolled?: (summary: IngestSummary) => void;
  /** Another holder has the lease: this process left the poll to it. */
  onSkipped?: () => void;
  /**
   * Something failed, and which: the lease store (`lease`: this process polls meanwhile) or the poll
   * (`poll`: the next one is tried on time all the same).
   */
  onError?: (error: unknown, failed: 'lease' | 'poll') => void;
}

/** The log line for a follower's failure (onError), the same for a replica and the ingest CLI. */
export function followFailure(failed: 'lease' | 'poll'): string {
  return failed === 'lease'
    ? 'the feed lease store failed (Redis or the database); this process polls the feeds meanwhile'
    : 'feed poll failed; trying again at the next poll';
}

/** How many poll intervals the feed lease lasts without renewal (it is renewed before and after each poll). */
export const LEASE_INTERVALS = 1.5;

/**
 * Polls the feeds every FEED_POLL_MINUTES, one poll at a time: a poll that
 * outlasts the interval delays the next instead of overlapping it. The
 * feeds' ETag/Last-Modified are in the shared state store, so an unchanged
 * feed costs one 304, whichever replica or process asks; with a lease, one
 * replica polls at a time.
 */
export class FeedFollower {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private current?: Promise<void>;
  private holding = false;
  private readonly lease?: SharedLease;

  constructor(private readonly options: FollowOptions) {
    this.lease = options.lease?.(options.intervalMs * LEASE_INTERVALS);
  }

  /** Polls now, then every interval until stop(). */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** Stops polling and lets the lease go (another replica takes the feeds over at once); resolves when a poll under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
    if (this.holding) await this.lease?.release().catch(() => undefined);
  }

  private tick(): void {
    if (this.stopped) return;
    this.current = this.pollIfHolder()
      .catch((error: unknown) => this.options.onError?.(error, 'poll'))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.options.intervalMs);
      });
  }

  private async pollIfHolder(): Promise<void> {
    if (!(await this.take())) return void this.options.onSkipped?.();
    // Renewed while a long poll (a large first build) runs, and after it, so that it never lapses under its holder.
    const renew = this.lease ? setInterval(() => void this.take(), this.options.intervalMs / 2) : undefined;
    renew?.unref();
    try {
      const summary = await this.options.poll();
      await this.take();
      this.options.onPolled?.(summary);
    } finally {
      clearInterval(renew);
    }
  }

  /** Takes or renews the lease. A lease store that does not answer (Redis away) does not stop the feeds: this process polls. */
  private async take(): Promise<boolean> {
    const { lease } = this;
    if (!lease) return true;
    try {
      this.holding = await lease.take();
    } catch (error) {
      this.options.onError?.(error, 'lease');
      this.holding = false;
      return true;
    }
    return this.holding;
  }
}

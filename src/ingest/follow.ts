import type { IngestSummary } from './ingest.js';

export interface FollowOptions {
  /** One poll: reads the feeds, stores what is new and updates the index. */
  poll: () => Promise<IngestSummary>;
  intervalMs: number;
  onPolled?: (summary: IngestSummary) => void;
  /** A poll that failed (the next one is tried on time all the same). */
  onError?: (error: unknown) => void;
}

/**
 * Polls the feeds every FEED_POLL_MINUTES, one poll at a time: a poll that
 * outlasts the interval delays the next instead of overlapping it. The
 * feeds' ETag/Last-Modified are in the shared state store, so an unchanged
 * feed costs one 304, whichever replica or process asks.
 */
export class FeedFollower {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private current?: Promise<void>;

  constructor(private readonly options: FollowOptions) {}

  /** Polls now, then every interval until stop(). */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** Stops polling; resolves when a poll under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private tick(): void {
    if (this.stopped) return;
    this.current = this.options
      .poll()
      .then((summary) => this.options.onPolled?.(summary))
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.options.intervalMs);
      });
  }
}

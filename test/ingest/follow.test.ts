import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLease } from '../../src/bot/state/leases.js';
import { FeedFollower, LEASE_INTERVALS } from '../../src/ingest/follow.js';
import { Ingester } from '../../src/ingest/ingest.js';
import { FileArticleStore } from '../../src/ingest/store.js';
import { tempDir } from '../helpers/fixtures.js';
import { type NewsSite, siteClient, startNewsSite } from '../helpers/news-site.js';
import { redisServerForTests } from '../helpers/redis-server.js';

/**
 * Following FEEDS with several replicas: a lease in a real Redis lets one
 * poll at a time, and a replica that dies hands the feeds over. Each poll is
 * a real ingester run against the feed of a news site on loopback.
 */
const redis = redisServerForTests();
let site: NewsSite;
beforeAll(async () => {
  site = await startNewsSite();
});
afterAll(() => site.close());

const INTERVAL_MS = 600;
const feedRequests = () => site.requests.filter((r) => r.path === '/rss.xml').length;

/** A replica's follower: its own web client and store, the lease shared through Redis under `key`. */
function replica(name: string, key: string, corpus: string) {
  const client = siteClient();
  const ingester = new Ingester({ client, store: new FileArticleStore(corpus, 4 * 1024 * 1024) });
  const connection = redis.connect();
  const counts = { polled: 0, skipped: 0, errors: 0 };
  const follower = new FeedFollower({
    intervalMs: INTERVAL_MS,
    lease: (ttlMs) => redisLease(connection, key, name, ttlMs),
    poll: () => ingester.run([`${site.origin}/rss.xml`]),
    onPolled: () => counts.polled++,
    onSkipped: () => counts.skipped++,
    onError: () => counts.errors++,
  });
  return { follower, counts, close: () => client.close() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('following feeds with several replicas (a lease in Redis)', () => {
  it('two followers cost one feed request per poll interval, not two', async () => {
    const key = `lease:feeds-${Math.random()}`;
    const corpus = tempDir('follow-corpus');
    const a = replica('a', key, corpus);
    const b = replica('b', key, corpus);
    const before = feedRequests();
    a.follower.start();
    b.follower.start();
    await until(() => a.counts.polled + a.counts.skipped >= 6 && b.counts.polled + b.counts.skipped >= 6, 60_000);
    await Promise.all([a.follower.stop(), b.follower.stop()]);
    await Promise.all([a.close(), b.close()]);
    const ticks = Math.max(a.counts.polled + a.counts.skipped, b.counts.polled + b.counts.skipped);
    const polls = a.counts.polled + b.counts.polled;
    expect(a.counts.errors + b.counts.errors).toBe(0);
    // Without the lease, both would poll at every tick: about 2 × ticks polls.
    expect(polls).toBeGreaterThan(0);
    expect(polls).toBeLessThanOrEqual(ticks + 1);
    expect(a.counts.skipped + b.counts.skipped).toBeGreaterThan(0);
    expect(feedRequests() - before).toBe(polls);
  }, 90_000);

  it('a replica that died holding the lease hands the feeds over within a poll or two', async () => {
    const key = `lease:feeds-${Math.random()}`;
    // The dead replica: it took the lease as a follower does, then never renewed it.
    const dead = redisLease(redis.connect(), key, 'dead', INTERVAL_MS * LEASE_INTERVALS);
    expect(await dead.take()).toBe(true);
    const died = Date.now();
    const b = replica('b', key, tempDir('follow-corpus'));
    b.follower.start();
    try {
      await until(() => b.counts.polled >= 1, 30_000);
      expect(b.counts.skipped).toBeGreaterThan(0); // the lease was still held at first
      // The lease lasts 1.5 intervals; the next tick after it lapses polls: well within 3 intervals.
      expect(Date.now() - died).toBeLessThan(INTERVAL_MS * 3 + 2000);
    } finally {
      await b.follower.stop();
      await b.close();
    }
  }, 60_000);

  it('a lease store that fails is reported as the lease’s failure, and the feeds are polled all the same', async () => {
    const connection = redis.connect();
    connection.disconnect(); // Redis away: every lease command fails
    const client = siteClient();
    const ingester = new Ingester({ client, store: new FileArticleStore(tempDir('follow-corpus'), 4 * 1024 * 1024) });
    const failures: string[] = [];
    let polled = 0;
    const follower = new FeedFollower({
      intervalMs: INTERVAL_MS,
      lease: (ttlMs) => redisLease(connection, `lease:feeds-${Math.random()}`, 'a', ttlMs),
      poll: () => ingester.run([`${site.origin}/rss.xml`]),
      onPolled: () => polled++,
      onError: (_, failed) => failures.push(failed),
    });
    follower.start();
    try {
      await until(() => polled >= 1, 30_000);
      expect(failures.length).toBeGreaterThan(0);
      expect(new Set(failures)).toEqual(new Set(['lease']));
    } finally {
      await follower.stop();
      await client.close();
    }
  }, 60_000);

  it('a replica that stops lets the lease go: the other polls at its next tick', async () => {
    const key = `lease:feeds-${Math.random()}`;
    const corpus = tempDir('follow-corpus');
    const a = replica('a', key, corpus);
    a.follower.start();
    await until(() => a.counts.polled >= 1, 30_000);
    const b = replica('b', key, corpus);
    b.follower.start();
    try {
      await until(() => b.counts.skipped >= 1, 30_000);
      await a.follower.stop();
      await until(() => b.counts.polled >= 1, INTERVAL_MS * 2 + 5000);
    } finally {
      await Promise.all([a.follower.stop(), b.follower.stop()]);
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});

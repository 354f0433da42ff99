import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageAdapter } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../src/corpus/front-matter.js';
import { HostPolicy } from '../../src/ingest/address.js';
import { FeedStates, type FeedValidators } from '../../src/ingest/feed-state.js';
import { Ingester } from '../../src/ingest/ingest.js';
import { FileArticleStore } from '../../src/ingest/store.js';
import { tempDir } from '../helpers/fixtures.js';
import {
  BRIDGE,
  FEED_ETAG,
  MODERN,
  modernPage,
  type NewsSite,
  OLD,
  OLIVE,
  PRIVATE_PATH,
  siteClient,
  startNewsSite,
} from '../helpers/news-site.js';

const MAX_BYTES = 4 * 1024 * 1024;

let site: NewsSite;
beforeAll(async () => {
  site = await startNewsSite();
});
afterAll(() => site.close());

/** A grammY storage adapter in memory: the feed validators' store, as the bot's state provides it. */
function memoryStorage<T>(): StorageAdapter<T> & { data: Map<string, T> } {
  const data = new Map<string, T>();
  return {
    data,
    read: (key) => data.get(key),
    write: (key, value) => void data.set(key, value),
    delete: (key) => void data.delete(key),
  };
}

function setup({
  allow = ['127.0.0.1'],
  corpus = join(tempDir('ingest'), 'corpus'),
  states = memoryStorage<FeedValidators>(),
} = {}) {
  const client = siteClient(new HostPolicy(allow), MAX_BYTES);
  const ingester = new Ingester({
    client,
    store: new FileArticleStore(corpus, MAX_BYTES),
    feedStates: new FeedStates(states),
  });
  return { client, ingester, corpus, states };
}

function corpusFiles(dir: string): Record<string, ReturnType<typeof splitFrontMatter>> {
  const files: Record<string, ReturnType<typeof splitFrontMatter>> = {};
  for (const name of readdirSync(dir)) files[name] = splitFrontMatter(readFileSync(join(dir, name), 'utf8'));
  return files;
}

describe('ingesting from a loopback news site', () => {
  it('refuses a loopback address before any request when INGEST_ALLOW_HOSTS does not list it', async () => {
    const { ingester, client } = setup({ allow: [] });
    const before = site.connections;
    const summary = await ingester.run([`${site.origin}${MODERN.path}`, `http://localhost:${site.port}/rss.xml`]);
    await client.close();
    expect(site.connections).toBe(before);
    expect(summary.refused.map((r) => r.reason)).toEqual(['address', 'address']);
    expect(summary.refused[0].detail).toMatch(/127\.0\.0\.1 \(loopback\).*INGEST_ALLOW_HOSTS/);
  });

  it('checks the address of the connection itself: a name whose first answer passed (DNS rebinding) is refused when it connects inside', async () => {
    // The check before the request is skipped, as if the name had resolved to a public address then.
    class PassingFirstCheck extends HostPolicy {
      override async check(): Promise<void> {}
    }
    const client = siteClient(new PassingFirstCheck([]), MAX_BYTES);
    const before = site.connections;
    const error = await client.get(`http://localhost:${site.port}${MODERN.path}`).catch((e: unknown) => e);
    await client.close();
    expect(error).toMatchObject({ reason: 'address' });
    expect(String((error as Error).message)).toMatch(/localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/);
    expect(site.connections).toBe(before);
  });

  it('refuses addresses that are not http(s)', async () => {
    const { ingester, client } = setup();
    const summary = await ingester.run(['file:///etc/passwd', 'ftp://127.0.0.1/x', 'not a url']);
    await client.close();
    expect(summary.refused.map((r) => r.reason)).toEqual(['url', 'url', 'url']);
  });

  it('stores a modern page with its JSON-LD metadata and only its own paragraphs', async () => {
    const { ingester, client, corpus } = setup();
    const summary = await ingester.run([`${site.origin}${MODERN.path}?utm_source=x`]);
    await client.close();
    expect(summary).toMatchObject({ added: 1, refused: [] });
    const [[, article]] = Object.entries(corpusFiles(corpus));
    expect(article.front).toEqual({
      title: MODERN.title,
      source: MODERN.outlet,
      date: MODERN.date,
      url: `${site.origin}${MODERN.path}`,
      author: MODERN.author,
    });
    for (const sentence of MODERN.sentences) expect(article.body).toContain(sentence);
    for (const boilerplate of [
      'الرئيسية',
      'ملفات تعريف',
      'فيسبوك',
      'أسعار الذهب',
      'التعليقات',
      'الكرك',
      'النشرة',
      'الحقوق',
      'عاجل',
      'حريق',
    ])
      expect(article.body).not.toContain(boilerplate);
  });

  it('decodes an old windows-1256 table page whose charset is only in a meta tag', async () => {
    const { ingester, client, corpus } = setup();
    const summary = await ingester.run([`${site.origin}${OLD.path}`]);
    await client.close();
    expect(summary.added).toBe(1);
    const [[, article]] = Object.entries(corpusFiles(corpus));
    expect(article.front).toMatchObject({ title: OLD.title, source: OLD.outlet, date: OLD.date });
    expect(article.body).toContain('وصل صباح أمس أول قطار بضائع إلى ميناء طرطوس قادما من حلب محملا بألف طن من القمح');
    expect(article.body).toContain('"الــخط"');
    expect(article.body).not.toMatch(/الصفحة الأولى|الحقوق|\u200F/);
  });

  it('reads an RSS feed once per article (tracking parameters, a page given twice), obeys robots.txt and then sends a conditional request', async () => {
    const { ingester, client, corpus, states } = setup();
    const summary = await ingester.run([
      `${site.origin}/rss.xml`,
      `${site.origin}${MODERN.path}`,
      `${site.origin}/m/news/desalination-aqaba`,
    ]);
    await client.close();
    expect(summary.added).toBe(2);
    expect(summary.unchanged).toBe(1); // the mobile page: the same canonical address
    expect(summary.refused).toEqual([
      {
        url: `${site.origin}${PRIVATE_PATH}`,
        reason: 'robots',
        detail: `disallowed by ${site.origin}/robots.txt (line 2: "Disallow: /private/")`,
      },
    ]);
    expect(site.requests.filter((r) => r.path === PRIVATE_PATH)).toHaveLength(0);
    const titles = Object.values(corpusFiles(corpus)).map((a) => a.front?.title);
    expect(titles.sort()).toEqual([OLIVE.title, MODERN.title].sort());
    expect(states.data.get(`${site.origin}/rss.xml`)).toEqual({ etag: FEED_ETAG });

    const again = setup({ corpus, states });
    const second = await again.ingester.run([`${site.origin}/rss.xml`]);
    await again.client.close();
    expect(second).toMatchObject({ added: 0, updated: 0, notModified: 1 });
    const last = site.requests.filter((r) => r.path === '/rss.xml').at(-1);
    expect(last).toMatchObject({ status: 304, headers: { 'if-none-match': FEED_ETAG } });
    expect(readdirSync(corpus)).toHaveLength(2);
  });

  it('reads an Atom feed, a sitemap index with a news sitemap, gzip and brotli responses', async () => {
    const { ingester, client, corpus } = setup();
    const summary = await ingester.run([`${site.origin}/feed`, `${site.origin}/sitemap-index.xml`]);
    await client.close();
    expect(summary.refused).toEqual([]);
    expect(summary.added).toBe(3);
    const byTitle = Object.fromEntries(Object.values(corpusFiles(corpus)).map((a) => [a.front?.title, a.front]));
    expect(byTitle[BRIDGE.title]).toMatchObject({ source: BRIDGE.outlet, date: BRIDGE.date, author: 'سامر العبيدي' });
    expect(byTitle[OLIVE.title]).toMatchObject({
      source: OLIVE.outlet,
      date: OLIVE.date,
      url: `${site.origin}${OLIVE.path}`,
    });
    expect(byTitle[MODERN.title]).toBeDefined();
  });

  it('reads a feed served as text/plain whose items give their address as a guid, and refuses a binary served as octet-stream', async () => {
    const { ingester, client } = setup();
    const summary = await ingester.run([`${site.origin}/plain-feed`, `${site.origin}/blob`]);
    await client.close();
    expect(summary.added).toBe(1);
    expect(summary.outcomes.find((o) => o.status === 'added')).toMatchObject({ title: BRIDGE.title });
    expect(summary.refused).toEqual([
      {
        url: `${site.origin}/blob`,
        reason: 'type',
        detail: `${site.origin}/blob is application/octet-stream, not a web page or a feed`,
      },
    ]);
  });

  it('follows up to five redirects, checking each, and refuses more', async () => {
    const { ingester, client } = setup();
    const summary = await ingester.run([
      `${site.origin}/go/modern`,
      `${site.origin}/loop`,
      `${site.origin}/go/private`,
    ]);
    await client.close();
    expect(summary.added).toBe(1);
    expect(summary.refused.map((r) => [r.url, r.reason])).toEqual([
      [`${site.origin}/loop`, 'redirects'],
      [`${site.origin}/go/private`, 'robots'],
    ]);
  });

  it('refuses an image, a PDF, a missing page and a huge page without reading the rest of it', async () => {
    const { ingester, client } = setup();
    const summary = await ingester.run(['/photo.png', '/report.pdf', '/missing', '/huge'].map((p) => site.origin + p));
    await client.close();
    expect(summary.refused.map((r) => r.reason)).toEqual(['type', 'type', 'http', 'too-large']);
    expect(summary.refused[0].detail).toMatch(/image\/png, not a web page or a feed/);
    expect(summary.refused[3].detail).toMatch(/larger than MAX_ARTICLE_BYTES/);
    expect(site.hugeBytesSent).toBeLessThan(20 * 1024 * 1024);
  });

  it('updates a changed page in place, under the same id', async () => {
    const { ingester, client, corpus } = setup();
    await ingester.run([`${site.origin}${MODERN.path}`]);
    await client.close();
    const [file] = readdirSync(corpus);
    const changed = [...MODERN.sentences.slice(0, 2), 'وأعلنت الوزارة لاحقا أن المحطة ستعمل بالطاقة الشمسية بالكامل.'];
    site.edit(MODERN.path, modernPage(changed));
    const again = setup({ corpus });
    const summary = await again.ingester.run([`${site.origin}${MODERN.path}`]);
    await again.client.close();
    site.edit(MODERN.path, '');
    expect(summary).toMatchObject({ added: 0, updated: 1 });
    expect(readdirSync(corpus)).toEqual([file]);
    expect(readFileSync(join(corpus, file), 'utf8')).toContain('بالطاقة الشمسية');
  });
});

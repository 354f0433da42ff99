import { describe, expect, it } from 'vitest';
import { articleKey } from '../../src/corpus/identity.js';
import { readDocument } from '../../src/ingest/feeds.js';
import { modernPage, rssFeed } from '../helpers/news-site.js';

const BASE = 'https://news.example/feeds/x';

describe('readDocument', () => {
  it('tells a page from a feed by its content', () => {
    expect(readDocument(modernPage(), BASE)).toEqual({ kind: 'page' });
    expect(readDocument('<?xml version="1.0"?>\n<!-- c -->\n<html><body>x</body></html>', BASE)).toEqual({
      kind: 'page',
    });
  });

  it('lists an RSS feed’s links, relative ones made absolute', () => {
    const doc = readDocument(rssFeed('https://news.example'), BASE);
    expect(doc).toMatchObject({ kind: 'feed', format: 'rss' });
    if (doc.kind !== 'feed') return;
    expect(doc.items.map((i) => i.url)).toEqual([
      'https://news.example/news/desalination-aqaba?utm_source=rss&utm_medium=feed&utm_campaign=x',
      'https://news.example/news/olive-harvest?utm_source=rss',
      'https://news.example/private/leak',
    ]);
  });

  it('reads Atom links (alternate first), sitemaps, news sitemaps and sitemap indexes', () => {
    const atom = readDocument(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="edit" href="/e"/><link href="/a"/></entry><entry><link rel="alternate" href="https://b.example/b"/></entry></feed>',
      BASE,
    );
    expect(atom).toMatchObject({
      kind: 'feed',
      format: 'atom',
      items: [{ url: 'https://news.example/a' }, { url: 'https://b.example/b' }],
    });
    const news = readDocument(
      '<?xml version="1.0"?><urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/n1</loc><news:news><news:title>عنوان</news:title></news:news></url></urlset>',
      BASE,
    );
    expect(news).toEqual({ kind: 'sitemap', items: [{ url: 'https://news.example/n1', title: 'عنوان' }] });
    const index = readDocument(
      '<sitemapindex><sitemap><loc>https://news.example/s1.xml</loc></sitemap><sitemap><loc>javascript:alert(1)</loc></sitemap></sitemapindex>',
      BASE,
    );
    expect(index).toEqual({ kind: 'sitemap-index', sitemaps: ['https://news.example/s1.xml'] });
  });

  it('reads XML of another kind as a page (refused later for having no article text)', () => {
    expect(readDocument('<?xml version="1.0"?><rss2><x/></rss2>', BASE)).toEqual({ kind: 'page' });
  });
});

describe('articleKey', () => {
  it('drops tracking parameters and the fragment, keeps the others in order', () => {
    expect(articleKey('https://News.Example:443/a?utm_source=rss&id=2&fbclid=x&b=1#top')).toBe(
      'https://news.example/a?b=1&id=2',
    );
  });
});

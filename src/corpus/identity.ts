import { createHash } from 'node:crypto';
import type { Article } from './article.js';

/** Query parameters that only say where a reader came from: the same article with or without them. */
const TRACKING = /^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|ocid|at_\w+)$/i;

/**
 * The form of an article's address used to tell articles apart: tracking
 * parameters and the fragment dropped, the host in lower case without a
 * default port, the remaining parameters sorted.
 *
 * @example articleKey("https://News.example/a?utm_source=rss&id=2#top") === "https://news.example/a?id=2"
 */
export function articleKey(address: string): string {
  const url = new URL(address);
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => !TRACKING.test(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : '';
  return url.href;
}

/**
 * The hash by which two copies of one article's text are the same article
 * (a page reached at an address without a canonical link, a mirror): its
 * sentences, white space, direction marks and tatweel aside.
 */
export function textHash(sentences: readonly string[]): string {
  const text = sentences
    .join(' ')
    .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u0640]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(text).digest('hex');
}

/** textHash of a parsed article: the same whichever store or engine computes it. */
export const articleTextHash = (article: Pick<Article, 'sentences'>): string =>
  textHash(article.sentences.map((s) => s.text));

/** articleKey, or undefined for an address that is not a URL (a front matter's `url: see print edition`). */
export function articleKeyOrNone(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    return articleKey(address);
  } catch {
    return undefined;
  }
}

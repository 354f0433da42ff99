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

import { XMLParser } from 'fast-xml-parser';

/** An article address a feed or sitemap lists. */
export interface Listed {
  url: string;
  title?: string;
}

/** What a response is, found from its content, not its address. */
export type Document =
  | { kind: 'page' }
  | { kind: 'feed'; format: 'rss' | 'atom'; items: Listed[] }
  | { kind: 'sitemap'; items: Listed[] }
  | { kind: 'sitemap-index'; sitemaps: string[] }
  | { kind: 'unknown-xml'; root: string };

/** Entries read from one feed or sitemap at most (a sitemap may list 50,000). */
export const MAX_LISTED = 5000;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // news:publication → publication, atom:link → link: namespaces are told apart by where they are.
  removeNSPrefix: true,
  isArray: (name) => ['item', 'entry', 'url', 'sitemap', 'link'].includes(name),
  parseTagValue: false,
  trimValues: true,
  // Entity expansion stays within fast-xml-parser's limits (no external entities are ever read).
  processEntities: true,
});

type Node = Record<string, unknown>;

/** The text of a parsed XML value: a string, or an element's text. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (value && typeof value === 'object') return textOf((value as Node)['#text']);
  return '';
}

function list(value: unknown): Node[] {
  return (Array.isArray(value) ? value : value ? [value] : []).filter((v): v is Node => !!v && typeof v === 'object');
}

/** An address as listed, made absolute against the feed's; undefined unless http(s). */
function absolute(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a body looks like XML rather than HTML (after a BOM, white space, an XML declaration, comments). */
function looksLikeXml(text: string): boolean {
  const head = text
    .slice(0, 2048)
    .replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<\?xml-stylesheet[^>]*\?>\s*)*/i, '');
  return /^<(rss|feed|urlset|sitemapindex|rdf:RDF|RDF)\b/i.test(head);
}

/**
 * Tells a page from a feed or a sitemap by what it holds (the root element),
 * and lists the articles a feed or sitemap names.
 */
export function readDocument(text: string, baseUrl: string): Document {
  if (!looksLikeXml(text)) return { kind: 'page' };
  let parsed: Node;
  try {
    parsed = parser.parse(text) as Node;
  } catch {
    return { kind: 'unknown-xml', root: 'invalid XML' };
  }
  const take = (items: Listed[]) => items.slice(0, MAX_LISTED);
  const rss = parsed.rss as Node | undefined;
  const rdf = parsed.RDF as Node | undefined;
  if (rss || rdf) {
    const channel = (rss?.channel as Node | undefined) ?? {};
    const items = list(rss ? channel.item : rdf?.item);
    return {
      kind: 'feed',
      format: 'rss',
      items: take(
        items.flatMap((item) => {
          // A guid is the article's address unless it says isPermaLink="false" (RSS 2.0's default is true).
          const guid = item.guid as Node | string | undefined;
          const permalink =
            guid !== undefined && (typeof guid !== 'object' || guid['@_isPermaLink'] !== 'false') ? textOf(guid) : '';
          const url = absolute(textOf(item.link) || (/^https?:\/\//i.test(permalink) ? permalink : ''), baseUrl);
          return url ? [{ url, title: textOf(item.title) || undefined }] : [];
        }),
      ),
    };
  }
  const feed = parsed.feed as Node | undefined;
  if (feed) {
    return {
      kind: 'feed',
      format: 'atom',
      items: take(
        list(feed.entry).flatMap((entry) => {
          const links = list(entry.link);
          const link = links.find((l) => !l['@_rel'] || l['@_rel'] === 'alternate') ?? links[0];
          const url = link ? absolute(String(link['@_href'] ?? ''), baseUrl) : undefined;
          return url ? [{ url, title: textOf(entry.title) || undefined }] : [];
        }),
      ),
    };
  }
  const urlset = parsed.urlset as Node | undefined;
  if (urlset) {
    return {
      kind: 'sitemap',
      items: take(
        list(urlset.url).flatMap((entry) => {
          const url = absolute(textOf(entry.loc), baseUrl);
          const news = list(entry.news)[0];
          return url ? [{ url, title: news ? textOf(news.title) || undefined : undefined }] : [];
        }),
      ),
    };
  }
  const index = parsed.sitemapindex as Node | undefined;
  if (index) {
    return {
      kind: 'sitemap-index',
      sitemaps: list(index.sitemap)
        .map((s) => absolute(textOf(s.loc), baseUrl))
        .filter((u): u is string => u !== undefined)
        .slice(0, MAX_LISTED),
    };
  }
  return { kind: 'unknown-xml', root: Object.keys(parsed).find((k) => !k.startsWith('?')) ?? 'none' };
}

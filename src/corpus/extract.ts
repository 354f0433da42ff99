import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { findDate } from './dates.js';

/** What a web page says about its article, and the article's own paragraphs. */
export interface ExtractedPage {
  /** The headline; '' when the page has none. */
  title: string;
  /** The outlet (site name); '' when the page does not say. */
  outlet: string;
  /** YYYY-MM-DD; '' when the page does not say. */
  date: string;
  author?: string;
  /** The canonical address (`<link rel="canonical">`, else og:url), absolute; undefined when the page names none. */
  canonical?: string;
  /** The article's paragraphs, in order, as plain text. */
  paragraphs: string[];
}

// linkedom's DOM is typed as the browser's; these are the few shapes used here.
type Doc = ReturnType<typeof parseHTML>['document'];
type El = ReturnType<Doc['createElement']>;

/** Never text: removed wherever they are. */
const NOT_TEXT = 'script, style, noscript, template, iframe, button, svg, select, input, textarea, dialog';
/**
 * Page furniture removed before Readability sees the page (it keeps some of it otherwise: a
 * share box becomes a paragraph), unless it holds most of the page's text: old ASP.NET pages
 * wrap everything in one <form>.
 */
const FURNITURE =
  'form, nav, footer, aside, header, [role="navigation"], [role="complementary"], [role="banner"], [role="contentinfo"], [aria-hidden="true"], [hidden]';
/** Class or id words of boxes that are not the article: sharing, comments, "read also", newsletters, cookie banners, ads. */
const FURNITURE_NAME =
  /(^|[-_\s])(share|sharing|social|comments?|newsletter|subscribe|subscription|related|read-?also|read-?more|more-?news|most-?read|recommended|cookies?|consent|gdpr|banner|promo|advert|advertisement|ads?|sponsored|sidebar|breadcrumbs?|tags|widget|popup|modal|outbrain|taboola|author-?box|sharethis|addthis)([-_\s]|$)/i;
/** Lines that are page furniture whatever their markup: "read also", "share", "follow us", copyright, newsletter, cookies. */
const DEBRIS_LINE = [
  /^(إ?قرأ|اقرأ) (أيضا|أيضاً|ايضا|المزيد)/u,
  /^(مشاركة|شارك|شاركها|طباعة|اطبع|تابعنا|تابعونا|تابعوا|المصدر|الكلمات المفتاحية|وسوم|كلمات دالة)\s*[:：]?\s*$/u,
  /^(share|print|read more|related|advertisement|إعلان)\b/iu,
];
/** Furniture that may stand anywhere in a line, but only in a short one: a sentence of an article may well mention copyright or cookies. */
const DEBRIS_SHORT_LINE = [
  /(جميع الحقوق محفوظة|حقوق (النشر|الطبع) محفوظة|©|copyright)/iu,
  /(النشرة (الإخبارية|البريدية)|اشترك (الآن|في)|ملفات (تعريف )?الارتباط|الكوكيز|cookies)/iu,
  /^(تابعنا|تابعونا|تابعوا|شارك|مشاركة)\b.*(فيسبوك|تويتر|تليجرام|تيليغرام|واتساب|إكس)/u,
];
/** Words in a line up to which DEBRIS_SHORT_LINE applies. */
const SHORT_LINE_WORDS = 30;
/** Article types of JSON-LD that are an article. */
const ARTICLE_TYPE =
  /^(NewsArticle|Article|ReportageNewsArticle|AnalysisNewsArticle|BlogPosting|OpinionNewsArticle|BackgroundNewsArticle)$/;
/** Blocks whose text becomes one paragraph (their descendants' text joined). */
const BLOCK =
  /^(P|DIV|SECTION|ARTICLE|MAIN|LI|UL|OL|BLOCKQUOTE|H1|H2|H3|H4|H5|H6|TD|TH|TR|TABLE|TBODY|PRE|FIGURE|FIGCAPTION|DL|DT|DD|CENTER|HEADER|FOOTER|NAV|ASIDE|FORM)$/;
/** Bidirectional marks and zero-width characters that are no text of their own. */
const MARKS = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/**
 * Reads a web page as an article: the metadata, best source first (JSON-LD
 * NewsArticle/Article, OpenGraph, <meta>/<time>, <title>), and the body
 * paragraphs found by Mozilla's Readability, with navigation, share boxes,
 * "read also" lists, comments, newsletters and footers left out.
 *
 * @param pageUrl where the page came from: relative canonical links are read against it
 */
export function extractPage(html: string, pageUrl?: string): ExtractedPage {
  const { document } = parseHTML(html);
  const meta = readMetadata(document as Doc, pageUrl);
  const datedLines = meta.date ? [] : paragraphsOf(parseHTML(html).document as Doc, { clean: true }).slice(0, 8);
  removeFurniture(document as Doc);
  const readable = new Readability(document as unknown as Document, { charThreshold: 200, keepClasses: false }).parse();
  let paragraphs = readable?.content ? paragraphsOf(parseHTML(`<body>${readable.content}</body>`).document as Doc) : [];
  if (paragraphs.join('').length < 80) paragraphs = paragraphsOf(parseHTML(html).document as Doc, { clean: true });
  const title = meta.title || readable?.title?.trim() || '';
  const headline = normalizeLine(title);
  paragraphs = paragraphs.filter(
    (p) => normalizeLine(p) !== headline && p !== meta.outlet && !isDebris(p) && !isDateLine(p),
  );
  // An old page's only date is often a line above the article ("الأحد 15 مارس 2009").
  const date = meta.date || findDate(datedLines.join('\n'));
  return { ...meta, title, date, paragraphs };
}

/** A line of page furniture: "read also", "share", copyright, newsletter, cookies. */
function isDebris(line: string): boolean {
  if (DEBRIS_LINE.some((re) => re.test(line))) return true;
  return line.split(/\s+/).length <= SHORT_LINE_WORDS && DEBRIS_SHORT_LINE.some((re) => re.test(line));
}

/** A short line that is only a date, perhaps after a weekday: furniture, not a sentence. */
function isDateLine(line: string): boolean {
  return line.split(/\s+/).length <= 5 && findDate(line) !== '';
}

function normalizeLine(text: string): string {
  return text.replace(MARKS, '').replace(/\s+/g, ' ').trim();
}

/** Removes what is not the article before Readability scores the page. */
function removeFurniture(document: Doc): void {
  for (const el of [...document.querySelectorAll(NOT_TEXT)]) el.remove();
  // Furniture that holds most of the page's text is the page's wrapper (<form id="aspnetForm">, "main has-sidebar"): kept.
  const total = normalizeLine(document.body?.textContent ?? '').length;
  const minor = (el: { textContent: string | null }) => normalizeLine(el.textContent ?? '').length < total / 2;
  for (const el of [...document.querySelectorAll(FURNITURE)]) {
    // A page header (masthead, menu), but not an article's own header.
    if (el.tagName === 'HEADER' && el.closest('article')) continue;
    if (minor(el)) el.remove();
  }
  for (const el of [...document.querySelectorAll('[class], [id]')]) {
    const names = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    if (FURNITURE_NAME.test(names) && minor(el)) el.remove();
  }
}

/**
 * The text of each block as a paragraph: a block's own text runs, split at
 * `<br>` (old pages lay paragraphs out with `<br><br>` only). A block that
 * is mostly links (a list of other articles) is left out.
 */
function paragraphsOf(document: Doc, { clean = false } = {}): string[] {
  const body = document.body ?? document.documentElement;
  if (!body) return [];
  if (clean) removeFurniture(document);
  const lines: string[] = [];
  let current = '';
  /** Characters of the current line inside links: a line that is mostly links is a menu. */
  let linked = 0;
  const flush = () => {
    const line = normalizeLine(current);
    if (line && linked / line.length <= 0.5) lines.push(line);
    current = '';
    linked = 0;
  };
  const walk = (node: El) => {
    for (const child of [...node.childNodes] as El[]) {
      if (child.nodeType === 3) current += child.textContent ?? '';
      else if (child.nodeType === 1) {
        const tag = child.tagName.toUpperCase();
        if (tag === 'BR') flush();
        else if (tag === 'SCRIPT' || tag === 'STYLE') continue;
        else if (BLOCK.test(tag)) {
          flush();
          if (!mostlyLinks(child)) walk(child);
          flush();
        } else {
          if (tag === 'A') linked += normalizeLine(child.textContent ?? '').length;
          walk(child);
        }
      }
    }
  };
  walk(body as El);
  flush();
  return lines;
}

/** A block whose text is mostly the text of its links: a menu, a "read also" list. */
function mostlyLinks(block: El): boolean {
  const text = normalizeLine(block.textContent ?? '');
  if (!text) return false;
  let linked = 0;
  for (const a of [...block.querySelectorAll('a')]) linked += normalizeLine(a.textContent ?? '').length;
  return linked / text.length > 0.6;
}

interface Metadata {
  title: string;
  outlet: string;
  date: string;
  author?: string;
  canonical?: string;
}

/** Metadata, best source first: JSON-LD, OpenGraph, <meta> and <time>, then <title>. */
function readMetadata(document: Doc, pageUrl?: string): Metadata {
  const ld = jsonLdArticle(document);
  const metaContent = (...keys: string[]) => {
    for (const key of keys) {
      const el = document.querySelector(`meta[property="${key}"], meta[name="${key}"], meta[itemprop="${key}"]`);
      const value = el?.getAttribute('content')?.trim();
      if (value) return value;
    }
    return '';
  };
  const time =
    document.querySelector('time[datetime]')?.getAttribute('datetime') ??
    document.querySelector('[itemprop="datePublished"]')?.getAttribute('content') ??
    '';
  const siteName = text(ld?.publisher) || metaContent('og:site_name', 'application-name');
  const pageTitle = splitTitle(document.querySelector('title')?.textContent ?? '', siteName);
  const social = metaContent('og:title', 'twitter:title');
  // og:title often carries the site's name as <title> does ("Headline | Outlet"): taken off when it is the outlet's.
  const socialTitle = social && siteName ? splitTitle(social, siteName) : { title: social, outlet: '' };
  const title =
    text(ld?.headline) ||
    text(ld?.name) ||
    (socialTitle.outlet === siteName ? socialTitle.title : social) ||
    pageTitle.title;
  const outlet = siteName || pageTitle.outlet;
  const date =
    isoDate(text(ld?.datePublished)) ||
    isoDate(
      metaContent(
        'article:published_time',
        'datePublished',
        'pubdate',
        'publish-date',
        'date',
        'dc.date.issued',
        'DC.date.issued',
        'parsely-pub-date',
      ),
    ) ||
    isoDate(time) ||
    isoDate(text(ld?.dateCreated) || text(ld?.dateModified));
  const authorText = text(ld?.author) || metaContent('author', 'article:author');
  const author = authorText && !/^https?:/i.test(authorText) ? authorText : undefined;
  const canonicalHref =
    document.querySelector('link[rel="canonical"]')?.getAttribute('href') || metaContent('og:url') || '';
  return {
    title: normalizeLine(title.replace(/\s+[|\-–—]\s+$/, '')),
    outlet: normalizeLine(outlet),
    date,
    ...(author ? { author: normalizeLine(author) } : {}),
    ...(absoluteHttp(canonicalHref, pageUrl) ? { canonical: absoluteHttp(canonicalHref, pageUrl) } : {}),
  };
}

/** An http(s) address made absolute, or undefined. */
function absoluteHttp(href: string, base?: string): string | undefined {
  if (!href.trim()) return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

type LdNode = Record<string, unknown>;

/** The first JSON-LD node that is an article, looking into arrays and @graph. */
function jsonLdArticle(document: Doc): LdNode | undefined {
  const nodes: LdNode[] = [];
  const collect = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      nodes.push(value as LdNode);
      const graph = (value as LdNode)['@graph'];
      if (graph) collect(graph);
    }
  };
  for (const script of [...document.querySelectorAll('script[type="application/ld+json"]')]) {
    try {
      collect(JSON.parse(script.textContent ?? ''));
    } catch {
      // A broken block of JSON-LD is common; the other sources are read instead.
    }
  }
  const types = (node: LdNode) => [node['@type']].flat().map(String);
  const article = (pattern: RegExp) => nodes.find((node) => types(node).some((t) => pattern.test(t)));
  return (
    article(/^(NewsArticle|ReportageNewsArticle|AnalysisNewsArticle|OpinionNewsArticle|BackgroundNewsArticle)$/) ??
    article(ARTICLE_TYPE)
  );
}

/** A JSON-LD value as text: a string, a {name}, or the first of a list. */
function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(text).filter(Boolean).join('، ');
  if (value && typeof value === 'object') return text((value as LdNode).name);
  return '';
}

/** YYYY-MM-DD from an ISO timestamp (the date as the page wrote it, not moved to UTC) or a written date. */
function isoDate(value: string): string {
  if (!value) return '';
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (ymd) return `${ymd[1]}-${ymd[2]}-${ymd[3]}`;
  const found = findDate(value);
  if (found) return found;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? '' : parsed.toISOString().slice(0, 10);
}

/** "Headline - Outlet" or "Headline | Outlet": the headline and the outlet, the site's name taken off. */
function splitTitle(raw: string, siteName: string): { title: string; outlet: string } {
  const title = normalizeLine(raw);
  const parts = title.split(/\s+[|\-–—«»:]\s+/);
  if (parts.length < 2) return { title, outlet: '' };
  if (siteName) {
    const rest = parts.filter((p) => p !== siteName);
    if (rest.length < parts.length) return { title: rest.join(' - '), outlet: siteName };
  }
  // The shorter end is the outlet: "Headline | Outlet" mostly, "Outlet | Headline" sometimes.
  const first = parts[0];
  const last = parts[parts.length - 1];
  return last.length <= first.length
    ? { title: parts.slice(0, -1).join(' - '), outlet: last }
    : { title: parts.slice(1).join(' - '), outlet: first };
}

import type { Quote, QuoteSource } from '../answering/quotes.js';
import { normalizeArabic } from '../arabic/normalize.js';
import { contentTerms, isStopWord, lightStem } from '../arabic/tokens.js';

/** Telegram's limit on one message's text. */
export const MESSAGE_LIMIT = 4096;

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The quote's text, escaped, with the words the question asked about in bold. */
export function highlight(text: string, question: string): string {
  const terms = new Set(contentTerms(question));
  return text
    .split(/([\p{L}\p{N}\p{M}]+)/u)
    .map((piece, i) => {
      if (i % 2 === 0) return escapeHtml(piece);
      const word = normalizeArabic(piece);
      const matched = !isStopWord(word) && terms.has(lightStem(word));
      return matched ? `<b>${escapeHtml(piece)}</b>` : escapeHtml(piece);
    })
    .join('');
}

/** First-strong isolate … pop directional isolate: the text keeps its own direction inside the line. */
const FSI = '\u2068';
const PDI = '\u2069';

/** A Latin name inside an Arabic line (or the reverse) is isolated, so the parts after it keep their order. */
function isolated(text: string): string {
  return /\p{Script=Latin}/u.test(text) ? `${FSI}${text}${PDI}` : text;
}

/** An http(s) address escaped for an href attribute; nothing for any other scheme (javascript:, tg:, data:). */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return escapeHtml(parsed.href).replace(/"/g, '&quot;');
}

/**
 * "title — outlet · date" as HTML: the title links to the article when it
 * has a web address; Latin names isolated from the Arabic around them.
 */
export function sourceLineHtml(source: Pick<QuoteSource, 'title' | 'outlet' | 'date' | 'url'>): string {
  const title = escapeHtml(isolated(source.title));
  const href = safeHref(source.url);
  const linked = href ? `<a href="${href}">${title}</a>` : title;
  const where = [source.outlet, source.date]
    .filter(Boolean)
    .map((part) => escapeHtml(isolated(part)))
    .join(' · ');
  return where ? `${linked} — ${where}` : linked;
}

/** A source line in italics: "title — outlet · date", the title a link when the article has a URL. */
export function sourceHtml(source: Pick<QuoteSource, 'title' | 'outlet' | 'date' | 'url'>): string {
  return `<i>${sourceLineHtml(source)}</i>`;
}

/**
 * One quote as Telegram HTML: the blockquote, then its source, then the
 * other outlets that report it (after `alsoInLabel`).
 */
export function quoteHtml(quote: Quote, question: string, alsoInLabel: string): string {
  const also = quote.alsoIn.length
    ? `\n${escapeHtml(alsoInLabel)} ${quote.alsoIn.map((s) => sourceLineHtml(s)).join('؛ ')}`
    : '';
  return `<blockquote>${highlight(quote.text, question)}</blockquote>\n— ${sourceHtml(quote)}${also}`;
}

/**
 * Packs HTML blocks into messages of at most `limit` characters, joined by
 * `separator`, never cutting a block. A block that is too long on its own is
 * a quote: its text is cut at word boundaries, each part in its own blockquote.
 */
export function packMessages(blocks: string[], { limit = MESSAGE_LIMIT, separator = '\n\n' } = {}): string[] {
  const messages: string[] = [];
  let current = '';
  for (const block of blocks.flatMap((b) => (b.length > limit ? splitBlock(b, limit) : [b]))) {
    const joined = current ? `${current}${separator}${block}` : block;
    if (joined.length <= limit) current = joined;
    else {
      if (current) messages.push(current);
      current = block;
    }
  }
  if (current) messages.push(current);
  return messages;
}

/** Cuts an over-long "<blockquote>…</blockquote>\nsource" block into well-formed parts. */
function splitBlock(block: string, limit: number): string[] {
  const match = /^<blockquote>([\s\S]*)<\/blockquote>([\s\S]*)$/.exec(block);
  if (!match) return [block.slice(0, limit)];
  const [, body, tail] = match;
  const room = limit - '<blockquote></blockquote>'.length - tail.length - 2;
  const parts: string[] = [];
  let part = '';
  // Cut between words, outside tags and entities: split on spaces only.
  for (const word of body.split(' ')) {
    const next = part ? `${part} ${word}` : word;
    if (next.length > room && part) {
      parts.push(part);
      part = word;
    } else part = next;
  }
  if (part) parts.push(part);
  return parts.map((p, i) => `<blockquote>${p}</blockquote>${i === parts.length - 1 ? tail : ''}`);
}

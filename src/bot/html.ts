import type { Quote, QuoteSource } from '../answering/quotes.js';
import { normalizeArabic } from '../arabic/normalize.js';
import { contentTerms, isStopWord, lightStem } from '../arabic/tokens.js';

/**
 * Replies are valid by construction: text is cut on character (grapheme)
 * boundaries while it is still plain text, and only then escaped and marked
 * up, so no cut ever falls inside a tag or an entity, and every message fits
 * Telegram's limits.
 */

/** Telegram's limit on one message's text (counted after parsing; the HTML we count is never shorter). */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on a button's callback data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
/** The longest run of quote text kept whole; a longer "word" (a URL, a run without spaces) is cut into pieces of this size. */
const MAX_RUN = 200;
/** The longest source line (title — outlet · date) shown; a longer title is cut with "…". */
export const SOURCE_LIMIT = 300;
/** The longest line of a list (/sources) or of a plain block. */
export const LINE_LIMIT = 500;
/** Other outlets listed under a quote, at most. */
const ALSO_IN_LIMIT = 5;
const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Escapes text for Telegram's HTML parse mode (and for a double-quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text cut to at most `max` UTF-16 units, between graphemes, with "…" when cut. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = '';
  for (const { segment } of graphemes.segment(text)) {
    if (cut.length + segment.length > max - ELLIPSIS.length) break;
    cut += segment;
  }
  return cut + ELLIPSIS;
}

/** Plain text in pieces of at most `size` UTF-16 units, cut between graphemes. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  let piece = '';
  for (const { segment } of graphemes.segment(text)) {
    if (piece.length + segment.length > size && piece) {
      out.push(piece);
      piece = '';
    }
    piece += segment;
  }
  if (piece) out.push(piece);
  return out;
}

/** One escaped line of plain text, cut to `max` characters first. */
export function lineHtml(text: string, max = LINE_LIMIT): string {
  return escapeHtml(cutText(text, max));
}

/**
 * A quote's text as HTML units that a message may be cut between: words and
 * the spaces between them, escaped, the question's words in bold; no unit
 * holds more than MAX_RUN characters of text.
 */
export function highlightUnits(text: string, question: string): string[] {
  const terms = new Set(contentTerms(question));
  const units: string[] = [];
  for (const run of text.split(/([\p{L}\p{N}\p{M}]+)/u)) {
    if (!run) continue;
    const word = normalizeArabic(run);
    const bold = /^[\p{L}\p{N}\p{M}]/u.test(run) && !isStopWord(word) && terms.has(lightStem(word));
    for (const piece of pieces(run, MAX_RUN)) units.push(bold ? `<b>${escapeHtml(piece)}</b>` : escapeHtml(piece));
  }
  return units;
}

/** First-strong isolate … pop directional isolate: a run keeps its own direction inside the line. */
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
  return escapeHtml(parsed.href);
}

/** The longest outlet or date shown in a source line. */
const SOURCE_PART_LIMIT = 100;

/**
 * "title — outlet · date" as HTML: each part cut first (the title to
 * SOURCE_LIMIT), then escaped; the title links to the article when it has
 * a web address; Latin names isolated from the Arabic around them.
 */
export function sourceLineHtml(source: Pick<QuoteSource, 'title' | 'outlet' | 'date' | 'url'>): string {
  const title = escapeHtml(isolated(cutText(source.title, SOURCE_LIMIT)));
  const href = safeHref(source.url);
  const linked = href ? `<a href="${href}">${title}</a>` : title;
  const where = [source.outlet, source.date]
    .filter(Boolean)
    .map((part) => escapeHtml(isolated(cutText(part, SOURCE_PART_LIMIT))))
    .join(' · ');
  return where ? `${linked} — ${where}` : linked;
}

/** A source line in italics: "title — outlet · date", the title a link when the article has a URL. */
export function sourceHtml(source: Pick<QuoteSource, 'title' | 'outlet' | 'date' | 'url'>): string {
  return `<i>${sourceLineHtml(source)}</i>`;
}

/** A reply block: a quote (its body units go inside a blockquote, its tail under it), or one line of HTML. */
export type Block = QuoteBlock | string;

export interface QuoteBlock {
  /** HTML units of the quoted text (see highlightUnits); a long quote is cut between them. */
  body: string[];
  /** HTML under the blockquote (the source line); bounded, kept whole. */
  tail: string;
  /** HTML before the blockquote (a header); bounded, kept whole. */
  head?: string;
}

/** One quote as a block: the text with the question's words in bold, then its source and the other outlets that report it. */
export function quoteBlock(quote: Quote, question: string, alsoInLabel: string): QuoteBlock {
  const others = quote.alsoIn.slice(0, ALSO_IN_LIMIT).map(sourceLineHtml);
  if (quote.alsoIn.length > ALSO_IN_LIMIT) others.push(ELLIPSIS);
  const also = others.length ? `\n${lineHtml(alsoInLabel, 100)} ${others.join('؛ ')}` : '';
  return { body: highlightUnits(quote.text, question), tail: `\n— ${sourceHtml(quote)}${also}` };
}

function isQuote(block: Block): block is QuoteBlock {
  return typeof block !== 'string';
}

function quoteText(block: QuoteBlock, body: string[], last: boolean): string {
  return `${block.head ?? ''}<blockquote>${body.join('')}</blockquote>${last ? block.tail : ''}`;
}

/** A quote block as one or more HTML parts of at most `limit` characters, cut between units. */
function splitQuote(block: QuoteBlock, limit: number): string[] {
  const whole = quoteText(block, block.body, true);
  if (whole.length <= limit) return [whole];
  const frame = quoteText({ ...block, head: block.head }, [], false).length;
  const parts: string[][] = [[]];
  let size = frame;
  for (const unit of block.body) {
    // Every part but the first drops the head; the last one carries the tail.
    if (size + unit.length > limit - block.tail.length && parts[parts.length - 1].length > 0) {
      parts.push([]);
      size = '<blockquote></blockquote>'.length;
    }
    parts[parts.length - 1].push(unit);
    size += unit.length;
  }
  return parts.map((body, i) =>
    quoteText({ ...block, head: i === 0 ? block.head : undefined }, body, i === parts.length - 1),
  );
}

/**
 * A quote block as exactly one message of at most `limit` characters: the
 * quote cut short with "…" if it must be (for inline results, which are one
 * message each).
 */
export function fitQuote(block: QuoteBlock, limit = MESSAGE_LIMIT): string {
  const whole = quoteText(block, block.body, true);
  if (whole.length <= limit) return whole;
  const room = limit - quoteText(block, [ELLIPSIS], true).length;
  const body: string[] = [];
  let size = 0;
  for (const unit of block.body) {
    if (size + unit.length > room) break;
    body.push(unit);
    size += unit.length;
  }
  return quoteText(block, [...body, ELLIPSIS], true);
}

/**
 * Packs blocks into messages of at most `limit` characters, joined by
 * `separator`. A quote too long for one message is cut between its units,
 * each part in its own blockquote; a line block is never cut (lines are
 * bounded when they are made: see lineHtml).
 */
export function packMessages(blocks: Block[], { limit = MESSAGE_LIMIT, separator = '\n\n' } = {}): string[] {
  const messages: string[] = [];
  let current = '';
  const parts = blocks.flatMap((block) => (isQuote(block) ? splitQuote(block, limit) : [block]));
  for (const part of parts) {
    const joined = current ? `${current}${separator}${part}` : part;
    if (joined.length <= limit) current = joined;
    else {
      if (current) messages.push(current);
      current = part;
    }
  }
  if (current) messages.push(current);
  return messages;
}

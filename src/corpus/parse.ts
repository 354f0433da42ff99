import { normalizeForSearch } from '../arabic/normalize.js';
import { type SentenceSpan, splitSentences } from '../arabic/sentences.js';
import { findDate } from './dates.js';

export interface ParsedArticle {
  title: string;
  outlet: string;
  date: string;
  sentences: SentenceSpan[];
}

interface Line {
  text: string;
  start: number;
  /** A Markdown heading (`# …`), its marks taken off. */
  heading: boolean;
}

/** Markdown heading marks: `#` to `######` and a space (a `#hashtag` is a word, not a heading). */
const HEADING_MARKS = /^#{1,6}[ \t]+/;

// Page furniture scraped along with news text.
const DEBRIS = [
  /^(مشاركة|شارك|شاركها|طباعة|اطبع|تابعنا|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|المصدر|الكلمات المفتاحية|وسوم|Share|Print)\s*[:：]?\s*$/iu,
  /^(تابعونا|تابعوا)\b.*(فيسبوك|تويتر|تليجرام|واتساب)/u,
];
/** "عرب وعالم16-7-2021 | 22:03": section name, date and time. */
const BREADCRUMB = /^[\p{L}\s]*\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\s*\|\s*\d{1,2}:\d{2}\s*$/u;
/** A line that is only a date, optionally after a weekday: "الأربعاء 25 سبتمبر 2024". */
const DATE_ONLY = /^[\p{L}،,\s]{0,12}\d{1,2}\s+[\p{L}\s]{3,16}\s+\d{4}\s*$/u;
/** A publisher line: "دار الهلال", "وكالة الأنباء الألمانية". */
const PUBLISHER = /^(دار|وكالة|صحيفة|جريدة|موقع|مؤسسة|شبكة|قناة|مجلة)\s+[\p{L}\s]{2,40}$/u;
/**
 * A dateline opening the first paragraph: "بكين 25 أغسطس 2021 (شينخوا)" or
 * "القاهرة - (أ ش أ) -". Group 1 is the outlet.
 */
const DATELINE =
  /^[\p{L}\s]{2,30}?\s*(?:[\d\u0660-\u0669]{1,2}\s+[\p{L}\s]{3,16}\s+[\d\u0660-\u0669]{4})?\s*[-–—]?\s*\(([^()\n]{2,40})\)\s*[-–—:]?\s*/u;
const ENDS_LIKE_SENTENCE = /[.!?؟؛…:"”»)]\s*$/u;
const MAX_HEADER_WORDS = 16;
const TITLE_WORDS = 12;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const lead = raw.length - raw.trimStart().length;
    const marks = HEADING_MARKS.exec(raw.trimStart())?.[0].length ?? 0;
    lines.push({ text: raw.trim().slice(marks), start: start + lead + marks, heading: marks > 0 });
    start += raw.length + 1;
  }
  return lines.filter((l) => l.text.length > 0);
}

function isDebris(text: string): boolean {
  return DEBRIS.some((re) => re.test(text)) || BREADCRUMB.test(text);
}

/** Shortens a sentence to a headline-sized title. */
export function shortTitle(sentence: string): string {
  const words = sentence
    .replace(/[.!?؟؛…]+$/u, '')
    .split(/\s+/)
    .filter(Boolean);
  return words.length <= TITLE_WORDS ? words.join(' ') : `${words.slice(0, TITLE_WORDS).join(' ')}…`;
}

interface Header {
  title: string;
  outlet: string;
  date: string;
  /** Index of the first body line. */
  bodyFrom: number;
  /** Header lines (normalized), dropped where the page repeats them in the body. */
  lines: Set<string>;
}

/** Short lines without sentence punctuation before the first paragraph: headline, date, publisher, section. */
function readHeader(lines: Line[]): Header {
  const header: Header = { title: '', outlet: '', date: '', bodyFrom: 0, lines: new Set() };
  for (; header.bodyFrom < lines.length; header.bodyFrom++) {
    const { text: line, heading } = lines[header.bodyFrom];
    // A Markdown heading is the headline however short, or ends: "# السكري", "# نادي الهلال (السعودية)".
    if (heading && !header.title) {
      header.title = line;
      header.lines.add(normalizeForSearch(line));
      continue;
    }
    if (isDebris(line)) {
      if (BREADCRUMB.test(line)) header.date = findDate(line) || header.date;
      continue;
    }
    if (wordCount(line) > MAX_HEADER_WORDS || ENDS_LIKE_SENTENCE.test(line)) break;
    if (DATE_ONLY.test(line) && findDate(line)) header.date ||= findDate(line);
    else if (PUBLISHER.test(line)) header.outlet ||= line;
    else if (!header.title && wordCount(line) >= 4) header.title = line;
    else if (header.bodyFrom + 1 >= lines.length) break; // a one-line article is body, not header
    header.lines.add(normalizeForSearch(line));
  }
  return header;
}

/** The body's sentences, without debris, repeated header lines or repeated sentences. */
function readBody(lines: Line[], header: Header, { dateline }: { dateline: boolean }): SentenceSpan[] {
  const sentences: SentenceSpan[] = [];
  const seen = new Set<string>();
  lines.slice(header.bodyFrom).forEach((line, i) => {
    if (isDebris(line.text) || header.lines.has(normalizeForSearch(line.text))) return;
    let from = line.start;
    let body = line.text;
    const match = dateline && i === 0 ? DATELINE.exec(body) : null;
    if (match) {
      header.outlet ||= match[1].trim();
      header.date ||= findDate(match[0]);
      from += match[0].length;
      body = body.slice(match[0].length);
    }
    for (const sentence of splitSentences(body, from)) {
      // The same sentence twice in one article is page repetition, not news.
      const key = normalizeForSearch(sentence.text);
      if (seen.has(key)) continue;
      seen.add(key);
      sentences.push(sentence);
    }
  });
  return sentences;
}

/**
 * Reads a news article: the header lines before the body give the title,
 * outlet and date; a dateline at the start of the body gives the outlet and
 * date; page debris is dropped; the rest is split into sentences.
 *
 * With `clean` (the body of a front-matter Markdown file, whose metadata is
 * given), there is no header or dateline to read: every line is body.
 */
export function parseArticleText(text: string, { clean = false } = {}): ParsedArticle {
  const lines = splitLines(text);
  const header = clean ? { title: '', outlet: '', date: '', bodyFrom: 0, lines: new Set<string>() } : readHeader(lines);
  const sentences = readBody(lines, header, { dateline: !clean });
  const title = header.title || (sentences.length > 0 ? shortTitle(sentences[0].text) : '');
  return { title, outlet: header.outlet, date: header.date, sentences };
}

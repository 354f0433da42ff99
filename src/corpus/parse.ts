import { normalizeForSearch } from '../arabic/normalize.js';
import { splitSentences, type SentenceSpan } from '../arabic/sentences.js';
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
}

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
    lines.push({ text: raw.trim(), start: start + lead });
    start += raw.length + 1;
  }
  return lines.filter((l) => l.text.length > 0);
}

function isDebris(text: string): boolean {
  return DEBRIS.some((re) => re.test(text)) || BREADCRUMB.test(text);
}

/** Shortens a sentence to a headline-sized title. */
export function shortTitle(sentence: string): string {
  const words = sentence.replace(/[.!?؟؛…]+$/u, '').split(/\s+/).filter(Boolean);
  return words.length <= TITLE_WORDS ? words.join(' ') : `${words.slice(0, TITLE_WORDS).join(' ')}…`;
}

/**
 * Reads a news article (with `clean`, a body from front-matter Markdown): the header lines before the body give the
 * title, outlet and date; a dateline at the start of the body gives the
 * outlet and date; page debris is dropped; the rest is split into sentences.
 */
export function parseArticleText(text: string, { clean = false } = {}): ParsedArticle {
  const lines = splitLines(text);
  let title = '';
  let outlet = '';
  let date = '';
  const headerLines = new Set<string>();

  // Header: short lines without sentence punctuation before the first paragraph.
  // Text that came with front matter is already clean: no header to read.
  let bodyFrom = clean ? lines.length : 0;
  for (; bodyFrom < lines.length; bodyFrom++) {
    const line = lines[bodyFrom].text.replace(/^#+\s*/, '');
    if (isDebris(line)) {
      if (BREADCRUMB.test(line)) date = findDate(line) || date;
      continue;
    }
    if (wordCount(line) > MAX_HEADER_WORDS || ENDS_LIKE_SENTENCE.test(line)) break;
    if (DATE_ONLY.test(line) && findDate(line)) {
      date ||= findDate(line);
    } else if (PUBLISHER.test(line)) {
      outlet ||= line;
    } else if (!title && wordCount(line) >= 4) {
      title = line;
    } else if (bodyFrom + 1 >= lines.length) {
      break; // a one-line article is body, not header
    }
    headerLines.add(normalizeForSearch(line));
  }

  const sentences: SentenceSpan[] = [];
  const seen = new Set<string>();
  if (clean) bodyFrom = 0;
  lines.slice(bodyFrom).forEach((line, i) => {
    if (isDebris(line.text) || headerLines.has(normalizeForSearch(line.text))) return;
    let from = line.start;
    let body = line.text;
    if (i === 0 && !clean) {
      const dateline = DATELINE.exec(body);
      if (dateline) {
        outlet ||= dateline[1].trim();
        date ||= findDate(dateline[0]);
        from += dateline[0].length;
        body = body.slice(dateline[0].length);
      }
    }
    for (const sentence of splitSentences(body, from)) {
      // The same sentence twice in one article is page repetition, not news.
      const key = normalizeForSearch(sentence.text);
      if (seen.has(key)) continue;
      seen.add(key);
      sentences.push(sentence);
    }
  });

  if (!title && sentences.length > 0) title = shortTitle(sentences[0].text);
  return { title, outlet, date, sentences };
}

/** A sentence as it stands in its article: exact text and where it starts and ends. */
export interface SentenceSpan {
  text: string;
  /** Offset of the first character in the article text. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

const TERMINATORS = new Set(['.', '!', '?', '؟', '؛', ';', '…']);
const QUOTES = new Set(['"', '“', '”', '«', '»', '„']);
const CLOSERS = new Set(['"', '”', '»', ')', ']', '’', "'"]);
const DIGIT = /[0-9\u0660-\u0669\u06F0-\u06F9]/;
const HAS_WORD = /[\p{L}\p{N}]/u;
const LATIN_LETTER = /[A-Za-z]/;
const LETTER = /\p{L}/u;
// Latin abbreviations that take a full stop inside a sentence ("St. Louis", "Dr. Watson").
const ABBREVIATIONS = new Set(
  'st dr mr mrs ms jr sr prof inc ltd co corp mt ft vs no gen col lt sgt rev fc cf etc jan feb mar apr jun jul aug sep sept oct nov dec'.split(
    ' ',
  ),
);
// Arabic era marks that end a date, and so may end a sentence: «عام 2018 م.», «1440 هـ.».
const ERA_MARKS = new Set(['م', 'ه', 'هـ']);

/**
 * Whether the full stop at line[i] belongs to an abbreviation or a name, not
 * to the end of a sentence: between letters with no space («F.C»، «U.S.A»،
 * «ق.م»), after a Latin initial or a known abbreviation («J. K. Rowling»،
 * «St. Louis»), or after a one-letter Arabic abbreviation («د. محمد»).
 */
function isAbbreviationDot(line: string, i: number): boolean {
  const next = line[i + 1] ?? '';
  // The word before the dot.
  let from = i;
  while (from > 0 && LETTER.test(line[from - 1])) from--;
  const word = line.slice(from, i);
  if (!word) return false;
  if (LETTER.test(next)) return word.length === 1 || LATIN_LETTER.test(word[0]); // «F.C», «U.S.A», «ق.م»
  if (next !== ' ') return false;
  const after = line[i + 2] ?? '';
  if (LATIN_LETTER.test(word[0])) {
    if (ABBREVIATIONS.has(word.toLowerCase())) return true;
    return word.length === 1 && /[A-Z]/.test(word) && /[A-Z]/.test(after); // an initial before a name
  }
  return word.length === 1 && !ERA_MARKS.has(word) && LETTER.test(after); // «د. محمد»
}

/**
 * Splits text into sentences at Arabic and Latin sentence punctuation
 * (؟ ؛ . ! ? …) and at line breaks. A terminator inside a quotation whose
 * closing mark follows later on the same line does not end the sentence, and
 * closing quotes/brackets right after a terminator stay with their sentence.
 * Decimal points ("2.5") and the dots of abbreviations and Latin names
 * («F.C»، «St. Louis»، «د. محمد») are not terminators.
 *
 * Every span's `text` equals `source.slice(start, end)`: nothing is rewritten.
 *
 * @param offset added to every position, when `text` is a slice of a larger article.
 */
export function splitSentences(text: string, offset = 0): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    splitLine(line, lineStart + offset, spans);
    lineStart += line.length + 1;
  }
  return spans;
}

function splitLine(line: string, lineOffset: number, spans: SentenceSpan[]): void {
  let start = 0;
  let quotesSeen = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (QUOTES.has(ch)) quotesSeen++;
    if (!TERMINATORS.has(ch)) continue;
    if (ch === '.' && DIGIT.test(line[i - 1] ?? '') && DIGIT.test(line[i + 1] ?? '')) continue;
    if (ch === '.' && isAbbreviationDot(line, i)) continue;

    let end = i + 1;
    while (end < line.length && TERMINATORS.has(line[end])) end++;
    while (end < line.length && CLOSERS.has(line[end])) {
      if (QUOTES.has(line[end])) quotesSeen++;
      end++;
    }
    const insideQuote = quotesSeen % 2 === 1 && hasQuoteAfter(line, end);
    if (insideQuote) {
      i = end - 1;
      continue;
    }
    pushSpan(line, start, end, lineOffset, spans);
    start = end;
    i = end - 1;
  }
  pushSpan(line, start, line.length, lineOffset, spans);
}

function hasQuoteAfter(line: string, from: number): boolean {
  for (let j = from; j < line.length; j++) if (QUOTES.has(line[j])) return true;
  return false;
}

function pushSpan(line: string, start: number, end: number, lineOffset: number, spans: SentenceSpan[]): void {
  let from = start;
  let to = end;
  while (from < to && /\s/.test(line[from])) from++;
  while (to > from && /\s/.test(line[to - 1])) to--;
  const text = line.slice(from, to);
  if (!HAS_WORD.test(text)) return;
  spans.push({ text, start: lineOffset + from, end: lineOffset + to });
}

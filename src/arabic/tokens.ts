import { normalizeArabic } from './normalize.js';
import { foldNumbers, numberWordTerm } from './numbers.js';
import { STOP_WORDS } from './stopwords.js';

// A number with its decimal or thousands separators ("2.5", "1,500", "٢٫٥"
// after normalization), or a run of letters. Digits and letters are split:
// "2018م" is the year 2018 and the letter م (ميلادي).
const WORD = /[0-9]+(?:[.,\u066B\u066C][0-9]+)*|(?:(?![0-9])[\p{L}\p{N}])+/gu;

/** Splits text into normalized words (runs of letters; numbers), in order. */
export function words(text: string): string[] {
  return normalizeArabic(text).match(WORD) ?? [];
}

// Light stemming after Larkey et al.'s "light10": strip the article and
// attached conjunctions/prepositions, then common plural, dual and pronoun
// suffixes. Forms are already normalized (ة→ه, ى→ي).
const PREFIXES = ['وبال', 'وكال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال'];
const SUFFIXES = ['هما', 'كما', 'ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'يا', 'ه', 'ي'];

/**
 * Reduces a normalized Arabic word to a light stem so that "والمفاوضات" and
 * "مفاوضات" match. A number word stands for its number ("الخامسة" → "5", see
 * numbers.ts). Non-Arabic words are returned unchanged.
 *
 * @example lightStem("والعلاقات") === "علاق"
 */
export function lightStem(word: string): string {
  if (!/^[\u0621-\u064A]+$/.test(word)) return word;
  const number = numberWordTerm(word);
  if (number !== undefined) return number;
  let stem = word;
  for (const prefix of PREFIXES) {
    if (stem.startsWith(prefix) && stem.length - prefix.length >= 2) {
      stem = stem.slice(prefix.length);
      break;
    }
  }
  if (stem.length > 3 && stem.startsWith('و')) stem = stem.slice(1);
  for (const suffix of SUFFIXES) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= 2) {
      stem = stem.slice(0, -suffix.length);
    }
  }
  return stem;
}

/** True for words that carry no topic: stop words and one-letter tokens (a digit is a number, not a stop word). */
export function isStopWord(word: string): boolean {
  return (word.length < 2 && !/[0-9]/.test(word)) || STOP_WORDS.has(word);
}

/** A word long enough to carry an attached one-letter preposition that may be part of it ("لسويسرا", "لبنان"). */
const MIN_PREPOSITION_WORD = 5;

/**
 * The terms of a text as BM25, term coverage and quote matching all see
 * them: normalized words, numbers read as numbers (see numbers.ts), stop words
 * dropped, light stems. One group per word: its terms, usually one; two when
 * a one-letter preposition may be attached to it or be part of it ("لسويسرا"
 * is "ل" + "سويسرا", "لبنان" is one word), and either may be what matches.
 */
export function analyze(text: string): string[][] {
  const groups: string[][] = [];
  for (const word of foldNumbers(words(text))) {
    if (isStopWord(word)) continue;
    const stem = lightStem(word);
    if (word.length >= MIN_PREPOSITION_WORD && /^[لبكف]/.test(word) && !word.startsWith('ال')) {
      const bare = lightStem(word.slice(1));
      if (bare !== stem) {
        groups.push([stem, bare]);
        continue;
      }
    }
    groups.push([stem]);
  }
  return groups;
}

/** The content terms of a text (every term of `analyze`), in order. */
export function contentTerms(text: string): string[] {
  return analyze(text).flat();
}

import { normalizeArabic } from './normalize.js';
import { STOP_WORDS } from './stopwords.js';

/** Splits text into normalized words (letters and digits), in order. */
export function words(text: string): string[] {
  return normalizeArabic(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Light stemming after Larkey et al.'s "light10": strip the article and
// attached conjunctions/prepositions, then common plural, dual and pronoun
// suffixes. Forms are already normalized (ة→ه, ى→ي).
const PREFIXES = ['وبال', 'وكال', 'وال', 'بال', 'كال', 'فال', 'لل', 'ال'];
const SUFFIXES = ['هما', 'كما', 'ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'يا', 'ه', 'ي'];

/**
 * Reduces a normalized Arabic word to a light stem so that "والمفاوضات" and
 * "مفاوضات" match. Non-Arabic words are returned unchanged.
 *
 * @example lightStem("والعلاقات") === "علاق"
 */
export function lightStem(word: string): string {
  if (!/^[\u0621-\u064A]+$/.test(word)) return word;
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

/** True for words that carry no topic: stop words and one-letter tokens. */
export function isStopWord(word: string): boolean {
  return word.length < 2 || STOP_WORDS.has(word);
}

/** The content terms of a text: normalized, stop words dropped, stemmed. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !isStopWord(w))
    .map(lightStem);
}

/**
 * Arabic normalization for *matching* only. Quoted text is never passed through
 * here: answers always show the article's original characters.
 */

// Harakat, superscript alef, Quranic annotation marks, tatweel and invisible
// format characters (ZWNJ, RLM, …) carry no meaning for matching.
const IGNORED = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640\p{Cf}]/gu;
const ALEF_FORMS = /[\u0622\u0623\u0625\u0671]/g; // آ أ إ ٱ
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033\u275D\u275E]/g; // “ ” „ ‟ « » ″ ❝ ❞
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u2039\u203A]/g; // ‘ ’ ‚ ‛ ′ ‹ ›

/** Arabic-Indic (٠-٩) and Extended Arabic-Indic (۰-۹) digits to ASCII. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/**
 * Folds the spelling variation that Arabic writers use interchangeably:
 * diacritics and tatweel removed, alef forms unified, ى→ي and ة→ه, digits to
 * ASCII, curly quotes to straight ones, Latin lower-cased.
 *
 * @example normalizeArabic("إِنَّ المُبادرةَ ٢٠٢١") === "ان المبادره 2021"
 */
export function normalizeArabic(text: string): string {
  return asciiDigits(
    text
      .normalize('NFKC')
      .replace(IGNORED, '')
      .replace(ALEF_FORMS, 'ا')
      .replace(/ى/g, 'ي')
      .replace(/ة/g, 'ه')
      .replace(DOUBLE_QUOTES, '"')
      .replace(SINGLE_QUOTES, "'"),
  ).toLowerCase();
}

/** Normalized text with runs of white space collapsed: for substring checks. */
export function normalizeForSearch(text: string): string {
  return normalizeArabic(text).replace(/\s+/g, ' ').trim();
}

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

/** Drop this code unit (in FOLD). */
const DROP = -1;

/** Marks, which NFKC may compose with the character before them, and Hangul jamo, which compose with syllables. */
const MAY_COMPOSE = /[\p{M}\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF]/u;

/**
 * Per UTF-16 code unit: what normalization makes of it after NFKC (itself,
 * another unit, or DROP), and whether NFKC leaves it alone wherever it
 * stands (then a text made only of such units skips NFKC). The same rules as
 * IGNORED, ALEF_FORMS, ى→ي, ة→ه, the quote classes and asciiDigits, applied
 * in one pass instead of one regular expression each: about 2.5 times
 * faster, and normalization runs over every sentence the archive indexes.
 */
const FOLD = new Int32Array(0x10000);
const NFKC_STABLE = new Uint8Array(0x10000);
for (let unit = 0; unit < 0x10000; unit++) {
  const char = String.fromCharCode(unit);
  if (unit >= 0xd800 && unit <= 0xdfff) {
    FOLD[unit] = unit; // surrogates: read in pairs, never NFKC-stable
    continue;
  }
  NFKC_STABLE[unit] = char.normalize('NFKC') === char && !MAY_COMPOSE.test(char) ? 1 : 0;
  if (IGNORED.test(char)) FOLD[unit] = DROP;
  else if (ALEF_FORMS.test(char)) FOLD[unit] = 0x0627;
  else if (char === 'ى') FOLD[unit] = 0x064a;
  else if (char === 'ة') FOLD[unit] = 0x0647;
  else if (DOUBLE_QUOTES.test(char)) FOLD[unit] = 0x22;
  else if (SINGLE_QUOTES.test(char)) FOLD[unit] = 0x27;
  else FOLD[unit] = asciiDigits(char).charCodeAt(0);
  IGNORED.lastIndex = ALEF_FORMS.lastIndex = DOUBLE_QUOTES.lastIndex = SINGLE_QUOTES.lastIndex = 0;
}

/** Format characters outside the BMP (language tags, musical and shorthand format controls): dropped like IGNORED. */
const FORMAT_CHARACTER = /^\p{Cf}$/u;

/**
 * Folds the spelling variation that Arabic writers use interchangeably:
 * diacritics and tatweel removed, alef forms unified, ى→ي and ة→ه, digits to
 * ASCII, curly quotes to straight ones, Latin lower-cased.
 *
 * @example normalizeArabic("إِنَّ المُبادرةَ ٢٠٢١") === "ان المبادره 2021"
 */
export function normalizeArabic(text: string): string {
  let stable = true;
  for (let i = 0; i < text.length && stable; i++) stable = NFKC_STABLE[text.charCodeAt(i)] === 1;
  const source = stable ? text : text.normalize('NFKC');
  // Copy unchanged runs whole; write only where a unit is folded or dropped.
  let folded = '';
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const unit = source.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < source.length) {
      if (FORMAT_CHARACTER.test(source.slice(i, i + 2))) {
        folded += source.slice(from, i);
        from = i + 2;
      }
      i++;
      continue;
    }
    const to = FOLD[unit];
    if (to === unit) continue;
    folded += source.slice(from, i);
    if (to !== DROP) folded += String.fromCharCode(to);
    from = i + 1;
  }
  return (folded + source.slice(from)).toLowerCase();
}

/** The reference: normalizeArabic as a chain of replacements (the one-pass version must equal it). */
export function normalizeArabicByRegex(text: string): string {
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

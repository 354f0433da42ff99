/**
 * Numbers read the same however they are written, so that a question and an
 * article meet: "ثلاثين" and "30", "الخامس عشر" and "15", "خمسة وعشرين" and
 * "25", "ثلاثة آلاف" and "3,000", "مئة مليار" and "100 مليار".
 *
 * Works on normalized words (see normalizeArabic: ة→ه, ى→ي, alef forms
 * unified, Arabic-Indic digits already ASCII). A number becomes its value in
 * ASCII digits; from a million up, its value in that scale and the scale's
 * word ("2.5 مليار", "2,500,000,000" and "ملياران ونصف"… → "2.5", "مليار"),
 * because news write large amounts that way and a question may name the
 * scale alone ("كم مليار").
 */

/** The scales of a million and more, and the word that names each in number terms. */
const BIG_SCALES: readonly [number, string][] = [
  [1e12, 'ترليون'],
  [1e9, 'مليار'],
  [1e6, 'مليون'],
];

/** Digit strings longer than this are identifiers, not amounts: kept as they are. */
const MAX_DIGITS = 15;

type Kind = 'unit' | 'ten' | 'tens' | 'hundred' | 'scale';

interface NumberWord {
  kind: Kind;
  value: number;
  /** An ordinal ("الخامس"): never multiplied ("خامس مئة" is no number). */
  ordinal?: boolean;
  /** Only a number before "عشر" or "و…ون" ("أحد عشر", "الحادي والعشرون"). */
  compoundOnly?: boolean;
  /** "مئة", "ألف", "مليون": may be multiplied by the number before it. */
  multipliable?: boolean;
  /** "آلاف", "ملايين": a count of thousands, millions, … only after a number. */
  plural?: boolean;
  /** For the words of a scale ("ألف", "ألفين", "آلاف"): the scale (1000). */
  scale?: number;
}

const WORDS = new Map<string, NumberWord>();

function add(forms: string, word: NumberWord): void {
  for (const form of forms.split(' ')) WORDS.set(form, word);
}

// Masculine and feminine forms (and the forms a case ending leaves), 1 to 9.
const UNITS = [
  'واحد واحده',
  'اثنان اثنين اثنتان اثنتين',
  'ثلاث ثلاثه',
  'اربع اربعه',
  'خمس خمسه',
  'ست سته',
  'سبع سبعه',
  'ثمان ثماني ثمانيه',
  'تسع تسعه',
];
for (const [i, forms] of UNITS.entries()) add(forms, { kind: 'unit', value: i + 1 });
add('احد احدي', { kind: 'unit', value: 1, compoundOnly: true });
add('اثنا اثني اثنتا اثنتي', { kind: 'unit', value: 2, compoundOnly: true });
add('حادي حاديه', { kind: 'unit', value: 1, compoundOnly: true, ordinal: true });
const ORDINALS = [
  'اول اولي',
  'ثاني ثانيه',
  'ثالث ثالثه',
  'رابع رابعه',
  'خامس خامسه',
  'سادس سادسه',
  'سابع سابعه',
  'ثامن ثامنه',
  'تاسع تاسعه',
];
for (const [i, forms] of ORDINALS.entries()) add(forms, { kind: 'unit', value: i + 1, ordinal: true });
add('عشر عشره', { kind: 'ten', value: 10 });
add('عاشر عاشره', { kind: 'ten', value: 10, ordinal: true });
// 20 to 90; ordinals of tens are the same words ("العشرون").
const TENS = [
  'عشرون عشرين',
  'ثلاثون ثلاثين',
  'اربعون اربعين',
  'خمسون خمسين',
  'ستون ستين',
  'سبعون سبعين',
  'ثمانون ثمانين',
  'تسعون تسعين',
];
for (const [i, forms] of TENS.entries()) add(forms, { kind: 'tens', value: (i + 2) * 10 });
add('مئه مائه', { kind: 'hundred', value: 100, multipliable: true });
add('مئتان مئتين مئتا مائتان مائتين مائتا', { kind: 'hundred', value: 200 });
const HUNDREDS: [string, number][] = [
  ['ثلاث', 3],
  ['اربع', 4],
  ['خمس', 5],
  ['ست', 6],
  ['سبع', 7],
  ['ثمان', 8],
  ['ثماني', 8],
  ['تسع', 9],
];
for (const [unit, n] of HUNDREDS) add(`${unit}مئه ${unit}مائه`, { kind: 'hundred', value: n * 100 });
for (const [scale, singular, dual, plural] of [
  [1e3, 'الف الفا', 'الفان الفين الفي', 'الاف'],
  [1e6, 'مليون مليونا', 'مليونان مليونين مليوني', 'ملايين'],
  [1e9, 'مليار مليارا بليون بليونا', 'ملياران مليارين ملياري بليونان بليونين', 'مليارات بلايين'],
  [1e12, 'ترليون تريليون ترليونا تريليونا', 'ترليونان ترليونين تريليونان تريليونين', 'ترليونات تريليونات'],
] as const) {
  add(singular, { kind: 'scale', value: scale, scale, multipliable: true });
  add(dual, { kind: 'scale', value: 2 * scale, scale });
  add(plural, { kind: 'scale', value: scale, scale, plural: true });
}

// Attached particles a number word may carry: a conjunction, a preposition, the article.
const PREFIXES = [
  'وبال',
  'وكال',
  'ولل',
  'فبال',
  'فلل',
  'فال',
  'وال',
  'بال',
  'كال',
  'لل',
  'ال',
  'وب',
  'ول',
  'وك',
  'فب',
  'فل',
  'و',
  'ف',
  'ب',
  'ل',
  'ك',
];
/** A particle is only taken off when the number word left has at least this many letters ("لست" is "I am not", not "ل" + "ست"). */
const MIN_REST = 3;
/** "الاثنين" is Monday far more often than "the two". */
const MONDAY = new Set(['اثنين', 'اثنان']);
/** "مليون ونصف", "مليار وربع": a fraction of the scale just named. */
const FRACTIONS = new Map([
  ['نصف', 0.5],
  ['ربع', 0.25],
]);
/** Names that look like a particle and a number word: "باول" is Powell, not "ب" + "أول". */
const LOOKALIKES = new Set(['باول']);
/** "في المئة", "بالمئة": per cent, as "%" is (and "%" is not a word). */
const PERCENT = new Set(['بالمئه', 'بالمائه']);
const PERCENT_AFTER_FI = new Set(['المئه', 'المائه']);

interface Reading extends NumberWord {
  /** Carries "و": joins the number before it ("خمسة وعشرون"). */
  and: boolean;
  /** Carries no particle at all. */
  bare: boolean;
}

/** Every form of every number word, with and without its particles: one lookup per word. */
const FORMS = new Map<string, Reading | null>();
for (const [word, reading] of WORDS) FORMS.set(word, { ...reading, and: false, bare: true });
for (const prefix of PREFIXES) {
  for (const [word, reading] of WORDS) {
    const form = prefix + word;
    if (word.length < MIN_REST || FORMS.has(form)) continue;
    // "لل" is "ل" + "ال" with the alef dropped: "للخامس" is "ل" + "الخامس".
    const definite = prefix.endsWith('ال') || prefix.endsWith('لل');
    FORMS.set(form, definite && MONDAY.has(word) ? null : { ...reading, and: prefix.startsWith('و'), bare: false });
  }
}
for (const word of [...PERCENT, ...LOOKALIKES]) FORMS.set(word, null);

/** A word as a number word, with the particles it carries; undefined for any other word. */
function readWord(word: string): Reading | undefined {
  return FORMS.get(word) ?? undefined;
}

const isDigit = (token: string) => token.charCodeAt(0) >= 48 && token.charCodeAt(0) <= 57;
const DIGITS = /^[0-9]+(?:[.,\u066B\u066C][0-9]+)*$/;
const SEPARATOR = /[.,\u066B\u066C]/g;
const ARABIC_DECIMAL = '\u066B';
const ARABIC_THOUSANDS = '\u066C';

/**
 * The value of a digit token: "2.5", "2,5" and "2٫5" are decimals; "1,500",
 * "1.500.000" and "1٬500" have thousands separators. Undefined for a token
 * that is no one number ("1.5.2021", a date) or too long to be an amount.
 */
export function readDigits(token: string): number | undefined {
  if (!DIGITS.test(token)) return undefined;
  const [first, ...groups] = token.split(SEPARATOR);
  const separators = token.match(SEPARATOR) ?? [];
  if (first.length + groups.join('').length > MAX_DIGITS) return undefined;
  if (separators.length === 0) return Number(token);
  const last = separators[separators.length - 1];
  const mixed = separators.some((s) => s !== last);
  // The decimal point, if any: the last separator when two kinds are used, a
  // lone "." or "٫", or a lone "," not followed by exactly three digits.
  const lone = separators.length === 1;
  const decimal =
    mixed || last === ARABIC_DECIMAL || (lone && last === '.') || (lone && last === ',' && groups[0].length !== 3);
  if (decimal && last === ARABIC_THOUSANDS) return undefined;
  const whole = decimal ? groups.slice(0, -1) : groups;
  const thousandSeparators = decimal ? separators.slice(0, -1) : separators;
  if (thousandSeparators.includes(last) && decimal) return undefined;
  if (!whole.every((g) => g.length === 3)) return undefined;
  return Number(`${first}${whole.join('')}${decimal ? `.${groups[groups.length - 1]}` : ''}`);
}

/** A value as number terms: its digits, or from a million up its count in the largest scale and that scale's word. */
export function numberTerms(value: number): string[] {
  const digits = (x: number) => String(Number(x.toPrecision(12)));
  for (const [scale, word] of BIG_SCALES) {
    if (value >= scale) return value === scale ? [word] : [digits(value / scale), word];
  }
  return [digits(value)];
}

type State = 'unit' | 'ten' | 'tens' | 'hundred' | 'scale' | 'digits';

interface Phrase {
  value: number;
  /** Index just past the phrase's last word. */
  end: number;
}

/**
 * Reads the number that starts at `words[start]`, as long as it runs:
 * "خمسة وعشرون", "ثلاثة آلاف وخمسمائة", "2.5 مليار", "الحادي عشر".
 * Undefined when no number starts there.
 */
function readPhrase(words: readonly string[], start: number): Phrase | undefined {
  let total = 0; // completed scale groups ("ثلاثة آلاف")
  let group = 0; // the part below the last scale
  let state: State | undefined;
  let lastScale = Number.POSITIVE_INFINITY;
  let unit: Reading | number | undefined; // what a following "عشر" or "مئة" would act on
  let complete: Phrase | undefined;
  let i = start;
  while (i < words.length) {
    let at = i;
    let and = false;
    if (state && words[at] === 'و') {
      and = true;
      at++;
    }
    const token = words[at];
    if (token === undefined) break;
    // "مليون ونصف", "ثلاثة مليارات وربع": a fraction of the scale just named ends the number.
    const fraction = FRACTIONS.get(and ? token : token.slice(1));
    if (state === 'scale' && group === 0 && fraction && (and || token.startsWith('و'))) {
      complete = { value: total + fraction * lastScale, end: at + 1 };
      break;
    }
    const digits = isDigit(token) ? readDigits(token) : undefined;
    const word = digits === undefined ? readWord(token) : undefined;
    if (digits === undefined && !word) break;
    and ||= word?.and ?? false;
    if (state && !and && word && !word.bare) break; // "ثلاثة بالآلاف": a new phrase, not a continuation
    let next: State | undefined;
    if (!state) {
      // The first word: anything but a lone "آلاف" ("thousands of…").
      if (digits !== undefined) [group, next] = [digits, 'digits'];
      else if (word?.kind === 'scale') {
        if (word.plural && word.value === 1e3) break;
        [total, lastScale, next] = [word.value, word.scale ?? word.value, 'scale'];
      } else if (word) [group, next] = [word.value, word.kind];
      unit = word ?? digits;
    } else if (!and) {
      // Without "و": "ثلاثة عشر", "ثلاث مئة", "ثلاثة آلاف", "2.5 مليار".
      if (!word && digits !== undefined) break;
      const w = word as Reading;
      const u = typeof unit === 'object' ? unit : undefined;
      if (w.kind === 'ten' && !w.ordinal && state === 'unit' && u) [group, next] = [group + 10, 'ten'];
      else if (
        w.kind === 'hundred' &&
        w.multipliable &&
        state === 'unit' &&
        u &&
        !u.ordinal &&
        group >= 3 &&
        group <= 9
      )
        [group, next] = [group * 100, 'hundred'];
      else if (
        w.kind === 'scale' &&
        (w.multipliable || w.plural) &&
        group > 0 &&
        !u?.compoundOnly &&
        !u?.ordinal &&
        w.value < lastScale
      ) {
        [total, group, lastScale, next] = [total + group * w.value, 0, w.value, 'scale'];
      } else break;
      unit = undefined;
    } else {
      // After "و": "خمسة وعشرون", "مئة وخمسة", "ألف وتسعمائة", "مليون و200 ألف".
      const value = digits ?? (word as Reading).value;
      const kind = digits === undefined ? (word as Reading).kind : 'digits';
      if (kind === 'tens' && state === 'unit' && group % 100 < 10) [group, next] = [group + value, 'tens'];
      else if (state === 'hundred' && (kind === 'unit' || kind === 'ten' || kind === 'tens'))
        [group, next] = [group + value, kind];
      else if (state === 'scale' && kind !== 'scale' && value < lastScale) [group, next] = [value, kind];
      else break;
      unit = word ?? digits;
    }
    if (!next) break;
    state = next;
    i = at + 1;
    const pending = typeof unit === 'object' && unit.compoundOnly && state === 'unit';
    if (!pending) complete = { value: total + group, end: i };
  }
  return complete;
}

/**
 * Normalized words with every number in them read as number terms: "الخامس
 * والعشرين" → "25", "بثلاثة آلاف" → "3000", "100 مليار" → "100", "مليار".
 * Other words pass unchanged; "في المئة" and "بالمئة" are dropped (as "%"
 * is); a digit token that is no one number ("1.5.2021") is split into its
 * digit groups.
 */
export function foldNumbers(words: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    const word = words[i];
    if (PERCENT.has(word) || (PERCENT_AFTER_FI.has(word) && words[i - 1] === 'في')) {
      i++;
      continue;
    }
    const phrase = isDigit(word) || readWord(word) ? readPhrase(words, i) : undefined;
    if (phrase) {
      out.push(...numberTerms(phrase.value));
      i = phrase.end;
      continue;
    }
    if (/^[0-9]/.test(word)) {
      for (const digits of word.split(SEPARATOR))
        out.push(...(digits.length > MAX_DIGITS ? [digits] : numberTerms(Number(digits))));
    } else out.push(word);
    i++;
  }
  return out;
}

/**
 * The number term a single word stands for ("الخامسة" → "5", "بالمئة" → none,
 * "ملايين" → "مليون"), or undefined for a word that is no number on its own.
 */
export function numberWordTerm(word: string): string | undefined {
  if (!readWord(word)) return undefined;
  const phrase = readPhrase([word], 0);
  return phrase ? numberTerms(phrase.value).at(-1) : undefined;
}

import { asciiDigits, normalizeArabic } from '../arabic/normalize.js';

// Egyptian/Gulf and Levantine month names, normalized (أ→ا, ى→ي, ة→ه).
const MONTHS: Record<string, number> = {
  يناير: 1,
  فبراير: 2,
  مارس: 3,
  ابريل: 4,
  مايو: 5,
  يونيو: 6,
  يونيه: 6,
  يوليو: 7,
  يوليه: 7,
  اغسطس: 8,
  سبتمبر: 9,
  اكتوبر: 10,
  نوفمبر: 11,
  ديسمبر: 12,
  'كانون الثاني': 1,
  شباط: 2,
  اذار: 3,
  نيسان: 4,
  ايار: 5,
  حزيران: 6,
  تموز: 7,
  اب: 8,
  ايلول: 9,
  'تشرين الاول': 10,
  'تشرين الثاني': 11,
  'كانون الاول': 12,
};

const MONTH_ALTERNATION = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

/** "25 اغسطس 2021" in normalized text. */
export const WRITTEN_DATE = new RegExp(`(\\d{1,2})\\s+(${MONTH_ALTERNATION})\\s*,?\\s+(\\d{4})`);
/** "16-7-2021", "16/7/2021". */
const NUMERIC_DMY = /(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/;
/** "2021-07-16". */
const NUMERIC_YMD = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/;

function iso(year: number, month: number, day: number): string {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2100) return '';
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Finds the first date written in `text` and returns it as YYYY-MM-DD, or ''. */
export function findDate(text: string): string {
  const norm = normalizeArabic(text);
  const written = WRITTEN_DATE.exec(norm);
  if (written) return iso(Number(written[3]), MONTHS[written[2]], Number(written[1]));
  const ymd = NUMERIC_YMD.exec(norm);
  if (ymd) return iso(Number(ymd[1]), Number(ymd[2]), Number(ymd[3]));
  const dmy = NUMERIC_DMY.exec(norm);
  if (dmy) return iso(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  return '';
}

/** Normalizes a front-matter date (string or Date) to YYYY-MM-DD, or passes it through. */
export function dateFromFrontMatter(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return '';
  return findDate(value) || asciiDigits(value.trim());
}

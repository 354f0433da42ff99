import { normalizeArabic } from '../arabic/normalize.js';
import { WRITTEN_DATE } from '../corpus/dates.js';

/** What kind of answer a question asks for, when its question word says so. */
export type AnswerType = 'time' | 'quantity' | undefined;

const TIME = /(^|\s)(متي|في اي عام|في اي سنه|في اي تاريخ|في اي يوم|في اي شهر)(\s|$)|\bwhen\b|\bwhat year\b/;
const QUANTITY = /(^|\s)(كم|ما عدد|ما مقدار|ما قيمه|ما نسبه)(\s|$)|\bhow (many|much)\b/;

/** "متى ولد…" asks for a time, "كم بلغت…" for a quantity. */
export function answerTypeOf(question: string): AnswerType {
  const q = normalizeArabic(question);
  if (TIME.test(q)) return 'time';
  if (QUANTITY.test(q)) return 'quantity';
  return undefined;
}

const YEAR = /\b(1[0-9]{3}|20[0-9]{2})\b/;
const NUMBER =
  /[0-9]|(^|\s)(واحد|اثن|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع|عشر|مئه|مائه|الف|الاف|مليون|ملايين|مليار|عشرات|مئات)/;

/** Whether a sentence holds the kind of answer asked for (a date, a number). */
export function holdsAnswerType(sentence: string, type: AnswerType): boolean {
  if (!type) return false;
  const s = normalizeArabic(sentence);
  return type === 'time' ? YEAR.test(s) || WRITTEN_DATE.test(s) : NUMBER.test(s);
}

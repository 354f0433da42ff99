import { normalizeArabic } from '../arabic/normalize.js';
import { type AnswerType, holdsAnswerType } from './answer-type.js';

/**
 * What a quote is made of: one sentence, or the sentence with the neighbour
 * that completes it. Decided per candidate from the texts alone (pure), so
 * that every index engine quotes alike:
 *
 * - with the sentence before, when this one cannot stand alone: it opens with
 *   a pronoun, a demonstrative or a connective whose subject is in the one
 *   before («وهو…»، «كما…»، «ذلك أن…»), or the one before ends at «؛» or «:»
 *   (the splitter cuts there, the sentence goes on);
 * - with the sentence after, when this one ends at «؛» or «:», or when the
 *   question asks for a date or a number that this sentence lacks and the
 *   next one holds.
 */

// First words (normalized) that lean on the sentence before: personal and demonstrative pronouns,
// and connectives that continue an argument. «و…» alone is not enough: most news sentences open with it.
const DEPENDENT_OPENERS = new Set([
  'هو',
  'هي',
  'هم',
  'هما',
  'وهو',
  'وهي',
  'وهم',
  'وهما',
  'فهو',
  'فهي',
  'كما',
  'ذلك',
  'وذلك',
  'هذا',
  'هذه',
  'وهذا',
  'وهذه',
  'تلك',
  'وتلك',
  'ثم',
  'لكن',
  'ولكن',
  'لكنه',
  'لكنها',
  'ولكنه',
  'ولكنها',
  'حيث',
  'اذ',
  'بينما',
  'كذلك',
  'وكذلك',
  'ايضا',
  'الا',
  'ويعد',
  'وتعد',
  'ويعتبر',
  'وتعتبر',
]);

/** Terminators after which a sentence goes on in the next one: the splitter cuts there, the author did not. */
const CONTINUES = /[؛;:]["”»)]*$/;

function firstWord(text: string): string {
  const match = normalizeArabic(text).match(/[\p{L}\p{N}]+/u);
  return match ? match[0] : '';
}

/** Whether `sentence` needs the sentence before it (`before`, in the same article) to be understood. */
export function leansOnBefore(sentence: string, before: string): boolean {
  return CONTINUES.test(before.trimEnd()) || DEPENDENT_OPENERS.has(firstWord(sentence));
}

/** Whether the sentence after `sentence` (`after`, same article) completes it for a question asking `type`. */
export function completedByAfter(sentence: string, after: string, type: AnswerType): boolean {
  if (CONTINUES.test(sentence.trimEnd())) return true;
  return type !== undefined && !holdsAnswerType(sentence, type) && holdsAnswerType(after, type);
}

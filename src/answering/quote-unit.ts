import { normalizeArabic } from '../arabic/normalize.js';
import { type AnswerType, holdsAnswerType } from './answer-type.js';

/**
 * What a quote is made of: one sentence, or the sentence with the neighbours
 * that complete it. Decided per neighbour by a learned model (joinScore,
 * quote-unit.json) whose evidence includes the rules below; without a model,
 * by the rules alone. Pure functions of the texts and scores, so that every
 * index engine quotes alike. The rules:
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

/**
 * One decision of the quote unit: whether `neighbour`, the sentence right
 * `side` of the quoted `sentence` in its article, joins the quote. Every
 * field comes from what both index engines give alike: the texts, the
 * question, and the retrieval's and the rerank's scores.
 */
export interface JoinCase {
  side: 'before' | 'after';
  sentence: string;
  neighbour: string;
  /** What the question asks for (a date, a number), if its question word says. */
  answerType: AnswerType;
  /** Share of the question's IDF-weighted words in the sentence, and in the neighbour (see TermWeights.coverage). */
  sentenceCoverage: number;
  neighbourCoverage: number;
  /** The sentence's position in its article (0: the lead). */
  position: number;
  /** The neighbour's fused retrieval score as a share of the sentence's (0 when it is not a candidate). */
  fusedShare: number;
  /** The neighbour's rerank score minus the sentence's, when it is among the reranked candidates. */
  scoreGap?: number;
}

/** The learned quote unit (quote-unit.json): a logistic model per side, joining above `threshold`. */
export interface QuoteUnitModel {
  /** What it was trained and measured on (free text, for people). */
  trainedOn: string;
  /** Weights of joinFeatures' features, per side. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** A neighbour joins when its log-odds of holding the answer the sentence lacks is at least this. */
  threshold: number;
  /** Sentences a quote may take besides its own (1: the better neighbour only). */
  neighbours: number;
  /** A neighbour joins only if the quote stays within this many characters. */
  maxChars: number;
  /** Whether a neighbour the rules join (ruleJoins) joins too, whatever the model says. */
  withRules: boolean;
  /**
   * Length-aware joining: the log-odds a neighbour needs rise by this much per 100 of its characters, so
   * that the length budget goes to the neighbours most likely to hold the answer per character. Default 0.
   */
  perHundredChars?: number;
  /**
   * The first quote chosen by what it holds, not by its sentence alone: a
   * quote's weight is exp(its sentence's rerank score) plus this share of
   * exp(score) of each neighbour it joins that was reranked (the rerank's
   * softmax: the chance that one of its sentences holds the answer), and the
   * heaviest is quoted first. 0: the best sentence first. Default 0.
   */
  neighbourMass?: number;
}

const log1 = (n: number) => Math.log(1 + n);

/** The decision's features (see JoinCase): the rules above as evidence, with the question's and the scores'. */
export function joinFeatures(c: JoinCase): Record<string, number> {
  const typed = c.answerType !== undefined;
  const inSentence = typed && holdsAnswerType(c.sentence, c.answerType);
  const inNeighbour = typed && holdsAnswerType(c.neighbour, c.answerType);
  const [first, second] = c.side === 'before' ? [c.neighbour, c.sentence] : [c.sentence, c.neighbour];
  return {
    bias: 1,
    // The second sentence leans on the first (pronoun, connective), or the first runs on past «؛» / «:».
    opener: DEPENDENT_OPENERS.has(firstWord(second)) ? 1 : 0,
    continues: CONTINUES.test(first.trimEnd()) ? 1 : 0,
    typed: typed ? 1 : 0,
    typeInSentence: inSentence ? 1 : 0,
    typeInNeighbour: inNeighbour ? 1 : 0,
    typeOnlyInNeighbour: typed && !inSentence && inNeighbour ? 1 : 0,
    sentenceCoverage: c.sentenceCoverage,
    neighbourCoverage: c.neighbourCoverage,
    lead: c.position === 0 ? 1 : 0,
    position: log1(c.position) / 4,
    sentenceLength: log1(c.sentence.length) / 6,
    neighbourLength: log1(c.neighbour.length) / 6,
    fusedShare: Math.min(c.fusedShare, 2),
    candidate: c.scoreGap === undefined ? 0 : 1,
    // A neighbour far below the sentence is as good as not a candidate; the gap is clamped to keep outliers tame.
    scoreGap: c.scoreGap === undefined ? 0 : Math.max(-10, Math.min(5, c.scoreGap)) / 5,
  };
}

/** The log-odds that the neighbour holds the answer the sentence lacks. */
export function joinScore(model: QuoteUnitModel, c: JoinCase): number {
  const weights = c.side === 'before' ? model.before : model.after;
  let score = 0;
  for (const [name, value] of Object.entries(joinFeatures(c))) score += (weights[name] ?? 0) * value;
  return score;
}

/** One neighbour the unit may join: its text and the decision's case. */
export interface JoinCandidate {
  neighbour: { text: string };
  join: JoinCase;
}

/**
 * The neighbours that join a quote of `sentence` (length in characters): with a
 * unit model, those whose log-odds (less the length cost) reach its threshold,
 * the likelier first, at most `unit.neighbours`, the quote within
 * `unit.maxChars`; without one, the rules' within `maxChars`, at most one. Pure:
 * answering (quotes.ts) and training (scripts/) choose alike.
 */
export function chooseJoins<C extends JoinCandidate>(
  unit: QuoteUnitModel | null,
  sentenceLength: number,
  cases: C[],
  rules: { neighbourShare: number; maxChars: number },
): C[] {
  const perChar = (unit?.perHundredChars ?? 0) / 100;
  const joining = unit
    ? cases
        .map((c) => ({
          c,
          odds:
            unit.withRules && ruleJoins(c.join, rules.neighbourShare)
              ? Infinity
              : joinScore(unit, c.join) - perChar * c.neighbour.text.length,
        }))
        .filter(({ odds }) => odds >= unit.threshold)
        .sort((a, b) => b.odds - a.odds)
        .map(({ c }) => c)
    : cases.filter((c) => ruleJoins(c.join, rules.neighbourShare));
  const [maxChars, most] = unit ? [unit.maxChars, unit.neighbours] : [rules.maxChars, 1];
  const picked: C[] = [];
  let length = sentenceLength;
  for (const c of joining) {
    if (picked.length >= most) break;
    if (length + 1 + c.neighbour.text.length > maxChars) continue;
    picked.push(c);
    length += 1 + c.neighbour.text.length;
  }
  return picked;
}

/** Today's rules (leansOnBefore, completedByAfter), used without a model, and to label the rerank's training. */
export function ruleJoins(c: JoinCase, neighbourShare: number): boolean {
  const completes =
    c.side === 'before'
      ? leansOnBefore(c.sentence, c.neighbour)
      : completedByAfter(c.sentence, c.neighbour, c.answerType);
  return completes || c.fusedShare >= neighbourShare;
}

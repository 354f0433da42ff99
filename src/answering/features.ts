import { normalizeArabic } from '../arabic/normalize.js';
import { analyze } from '../arabic/tokens.js';
import { holdsAnswerType } from './answer-type.js';
import type { Question } from './question.js';
import { leansOnBefore } from './quote-unit.js';
import type { TermWeights } from './relevance.js';

/**
 * What the rerank knows of one candidate sentence, fetched from the index
 * beforehand: the features below are pure functions of it, so that any index
 * engine gives the same scores.
 */
export interface CandidateData {
  /** Fused retrieval score, and its share of the best candidate's. */
  fused: number;
  bestFused: number;
  /** Rank (0-based) in each retrieval list (lexical sentence, lexical chunk, dense sentence, dense chunk); -1: absent. */
  ranks: readonly number[];
  /** The sentence's text, its article, and its position in its article (0: the lead). */
  text: string;
  articleId: string;
  position: number;
  /** The sentences right before and after it in its article ('' at an edge). */
  before: string;
  after: string;
  /** The question's terms held by the sentence and its neighbours (see SearchIndex.termsIn). */
  windowTerms: ReadonlySet<string>;
  /** The question's terms held by the sentence itself, by the one right before and the one right after. */
  ownTerms: ReadonlySet<string>;
  beforeTerms: ReadonlySet<string>;
  afterTerms: ReadonlySet<string>;
  /** Share of the question's weighted terms in the title of the sentence's article. */
  titleCoverage: number;
  /** Cosine similarity to the question. */
  similarity: number;
  /** Whether the sentence itself holds a number the question names (in digits or in words). */
  holdsQuestionNumber: boolean;
  /** How well the question's words align with the sentence's (alignment.ts; 0 when not computed). */
  alignment: number;
}

/** The features of a candidate, by name; a model weighs each (see scorer.ts). */
export type Features = Record<string, number>;

/** The feature groups, each a question the rerank asks of a candidate; the learned model keeps only those that gain. */
export const FEATURE_GROUPS: Record<string, readonly string[]> = {
  /** Today's hand-weighted score: fused rank, window and title coverage, meaning, coarse answer type. */
  base: ['fused', 'windowCoverage', 'titleCoverage', 'similarity', 'answerType'],
  /** The sentence's own coverage, and how it compares with the best candidate's coverage and similarity. */
  own: ['sentenceCoverage', 'coverageGap', 'similarityGap'],
  /** Agreement between the lexical and dense lists: the candidate's rank in each. */
  lists: ['lexicalSentence', 'lexicalChunk', 'denseSentence', 'denseChunk', 'listsAgreeing'],
  /** Answer type matched finely: the number or date next to a word of the question; a lead's dates for born/died. */
  fineType: ['numberNearTerm', 'dateNearTerm', 'leadDates'],
  /** A number the question names, in the sentence itself (not only in its window). */
  numbers: ['questionNumber'],
  /** Who/what-is questions and the article's first sentence. */
  lead: ['leadForDefinition'],
  /** The article's first sentence, whatever the question. */
  anyLead: ['lead'],
  /** Proximity: the question's words close together, in its order. */
  proximity: ['density', 'adjacentPairs'],
  /** The article: its share of the candidates' fused score, whether it has the best candidate, its title. */
  article: ['articleShare', 'articleFirst'],
  /** Shape: length, and whether the sentence leans on the one before. */
  shape: ['logLength', 'leansOnBefore'],
  /** Meaning word by word (alignment.ts): the question's words aligned with the sentence's, and its rank by it. */
  alignment: ['alignment', 'alignmentRank'],
  /** The question's words over the sentence and its neighbours: all of them, and what each neighbour adds. */
  window: ['windowAll', 'withBefore', 'withAfter', 'neighbourGain'],
  /** The article over all its candidates: how much of the question their windows hold, how many they are. */
  articleTerms: ['articleCoverage', 'articleCount'],
  /**
   * The quote unit's evidence (quote-unit.ts): whether a neighbour would complete the sentence, the asked-for
   * date or number only in the one before or after, or the one after leaning on it.
   */
  neighbours: ['typeOnlyBefore', 'typeOnlyAfter', 'afterLeans'],
};

/** Features that need the word alignment (alignment.ts): computed only when the model weighs one. */
export const FROM_ALIGNMENT = FEATURE_GROUPS.alignment;

const DEFINITION = /^(من|ما)\s+(هو|هي|هم)\s/;
const BORN_DIED = /(ولد|ولدت|توفي|توفيت|مات|ماتت|رحل|ميلاد|وفاه)/;
const NUMBER = /^[0-9]/;
const YEAR_IN_PARENTHESES = /\([^)]*\b(1[0-9]{3}|20[0-9]{2})\b[^)]*\)/;

/** The question's facts the features need, computed once per question. */
export interface QuestionFacts {
  question: Question;
  weights: TermWeights;
  /** Each word's terms, flattened to the set of all the question's terms. */
  terms: ReadonlySet<string>;
  definition: boolean;
  bornOrDied: boolean;
}

export function questionFacts(question: Question, weights: TermWeights): QuestionFacts {
  const q = normalizeArabic(question.text);
  return {
    question,
    weights,
    terms: new Set(question.terms.flat()),
    definition: DEFINITION.test(q),
    bornOrDied: question.answerType === 'time' && BORN_DIED.test(q),
  };
}

/** The rank in a list as a weight: 1 at the top, falling as 1/(1 + rank/5); 0 when absent. */
const rankWeight = (rank: number | undefined) => (rank === undefined || rank < 0 ? 0 : 1 / (1 + rank / 5));

/** Features read from the sentence's analysed words (see analyze): the costly part, computed only when wanted. */
const FROM_WORDS = new Set([
  'sentenceCoverage',
  'coverageGap',
  'numberNearTerm',
  'dateNearTerm',
  'density',
  'adjacentPairs',
]);

/** The features that need the sentence's words: coverage, proximity, numbers next to question words. */
function wordFeatures(facts: QuestionFacts, c: CandidateData): Features {
  const { question, weights, terms } = facts;
  const groups = analyze(c.text);
  const matched = groups.map((g) => g.some((t) => terms.has(t)));

  // Proximity: the share of the sentence's words, from the first matched word to the last, that match.
  const positions = matched.flatMap((m, i) => (m ? [i] : []));
  const density = positions.length > 1 ? positions.length / (positions[positions.length - 1] - positions[0] + 1) : 0;
  // Adjacent question words, in the order of the question (a name, a phrase quoted).
  const questionPairs = new Set<string>();
  for (let i = 0; i + 1 < question.terms.length; i++)
    for (const a of question.terms[i]) for (const b of question.terms[i + 1]) questionPairs.add(`${a} ${b}`);
  let adjacentPairs = 0;
  for (let i = 0; i + 1 < groups.length; i++)
    if (groups[i].some((a) => groups[i + 1].some((b) => questionPairs.has(`${a} ${b}`)))) adjacentPairs++;

  // A number (or a date) within two words of a question word.
  let numberNear = 0;
  for (let i = 0; i < groups.length && !numberNear; i++) {
    if (!groups[i].some((t) => NUMBER.test(t))) continue;
    for (let j = Math.max(0, i - 2); j <= Math.min(groups.length - 1, i + 2); j++) if (matched[j]) numberNear = 1;
  }
  const type = question.answerType;
  return {
    sentenceCoverage: weights.coverage(new Set(groups.flat())),
    numberNearTerm: type === 'quantity' ? numberNear : 0,
    dateNearTerm: type === 'time' && holdsAnswerType(c.text, 'time') ? numberNear : 0,
    density,
    adjacentPairs: Math.min(adjacentPairs, 3) / 3,
  };
}

const union = (...sets: ReadonlySet<string>[]) => new Set(sets.flatMap((set) => [...set]));

/** The question's words over the sentence and its neighbours (questions often name the subject a sentence before). */
function windowFeatures(weights: TermWeights, c: CandidateData): Features {
  const window = weights.coverage(c.windowTerms);
  const own = weights.coverage(c.ownTerms);
  return {
    windowAll: window > 0.999 ? 1 : 0,
    withBefore: weights.coverage(union(c.ownTerms, c.beforeTerms)),
    withAfter: weights.coverage(union(c.ownTerms, c.afterTerms)),
    neighbourGain: window - own,
  };
}

/** What a neighbour would add to the quote (see quote-unit.ts): the asked-for type it alone holds, its leaning. */
function neighbourFeatures(facts: QuestionFacts, c: CandidateData): Features {
  const type = facts.question.answerType;
  const lacking = type !== undefined && !holdsAnswerType(c.text, type);
  return {
    typeOnlyBefore: lacking && c.before && holdsAnswerType(c.before, type) ? 1 : 0,
    typeOnlyAfter: lacking && c.after && holdsAnswerType(c.after, type) ? 1 : 0,
    afterLeans: c.after && leansOnBefore(c.after, c.text) ? 1 : 0,
  };
}

/** One candidate's features, before the features relative to the other candidates (see featuresOf). */
function ownFeatures(
  facts: QuestionFacts,
  c: CandidateData,
  withWords: boolean,
  withWindow: boolean,
  withNeighbours: boolean,
): Features {
  const { question, weights } = facts;
  const lead = c.position === 0 ? 1 : 0;
  return {
    fused: c.fused / (c.bestFused || 1),
    windowCoverage: weights.coverage(c.windowTerms),
    titleCoverage: c.titleCoverage,
    similarity: c.similarity,
    answerType: holdsAnswerType(c.text, question.answerType) ? 1 : 0,
    lexicalSentence: rankWeight(c.ranks[0]),
    lexicalChunk: rankWeight(c.ranks[1]),
    denseSentence: rankWeight(c.ranks[2]),
    denseChunk: rankWeight(c.ranks[3]),
    listsAgreeing: c.ranks.filter((r) => r >= 0).length / 4,
    questionNumber: c.holdsQuestionNumber ? 1 : 0,
    leadDates: facts.bornOrDied && lead && YEAR_IN_PARENTHESES.test(c.text) ? 1 : 0,
    lead,
    leadForDefinition: facts.definition ? lead : 0,
    logLength: Math.log(1 + c.text.length) / 6,
    leansOnBefore: c.before && leansOnBefore(c.text, c.before) ? 1 : 0,
    alignment: c.alignment,
    ...(withWindow ? windowFeatures(weights, c) : {}),
    ...(withNeighbours ? neighbourFeatures(facts, c) : {}),
    ...(withWords ? wordFeatures(facts, c) : {}),
  };
}

/** Each article over all its candidates: how much of the question their windows' terms cover, and how many they are. */
function articleTermsOf(weights: TermWeights, candidates: readonly CandidateData[]) {
  const terms = new Map<string, Set<string>>();
  const count = new Map<string, number>();
  for (const c of candidates) {
    const held = terms.get(c.articleId) ?? new Set<string>();
    for (const t of c.windowTerms) held.add(t);
    terms.set(c.articleId, held);
    count.set(c.articleId, (count.get(c.articleId) ?? 0) + 1);
  }
  return { coverage: new Map([...terms].map(([id, held]) => [id, weights.coverage(held)])), count };
}

/**
 * Every candidate's features; some are relative to the best candidate
 * (gaps). `wanted` (default: all) names the features the model weighs: the
 * sentence's words are analysed only when one of them needs it.
 */
export function featuresOf(
  facts: QuestionFacts,
  candidates: readonly CandidateData[],
  wanted?: Iterable<string>,
): Features[] {
  const names = wanted === undefined ? undefined : new Set(wanted);
  const wants = (group: readonly string[] | Set<string>) => !names || [...group].some((name) => names.has(name));
  const withWords = wants(FROM_WORDS);
  const [withWindow, withNeighbours] = [wants(FEATURE_GROUPS.window), wants(FEATURE_GROUPS.neighbours)];
  const features = candidates.map((c) => ownFeatures(facts, c, withWords, withWindow, withNeighbours));
  const bestCoverage = Math.max(0, ...features.map((f) => f.sentenceCoverage ?? 0));
  const bestSimilarity = Math.max(0, ...features.map((f) => f.similarity));
  const mass = new Map<string, number>();
  let total = 0;
  for (const c of candidates) {
    mass.set(c.articleId, (mass.get(c.articleId) ?? 0) + c.fused);
    total += c.fused;
  }
  const first = candidates[0]?.articleId;
  const { coverage: articleCoverage, count: articleCount } = wants(FEATURE_GROUPS.articleTerms)
    ? articleTermsOf(facts.weights, candidates)
    : { coverage: new Map<string, number>(), count: new Map<string, number>() };
  features.forEach((f, i) => {
    if (withWords) f.coverageGap = bestCoverage - f.sentenceCoverage;
    f.similarityGap = bestSimilarity - f.similarity;
    f.articleShare = (mass.get(candidates[i].articleId) ?? 0) / (total || 1);
    f.articleFirst = candidates[i].articleId === first ? 1 : 0;
    if (articleCount.size > 0) {
      f.articleCoverage = articleCoverage.get(candidates[i].articleId) ?? 0;
      f.articleCount = (articleCount.get(candidates[i].articleId) ?? 0) / candidates.length;
    }
    // The rank by alignment as a weight, as rankWeight weighs a list's rank (ties share the better rank).
    const above = candidates.filter((c) => c.alignment > candidates[i].alignment).length;
    f.alignmentRank = rankWeight(above);
  });
  return features;
}

import { contentTerms } from '../arabic/tokens.js';
import type { ArticleMeta } from '../corpus/article.js';
import type { IndexedSentence, SearchIndex } from '../search/search-index.js';
import type { AnswerType } from './answer-type.js';
import type { QuotingOptions } from './options.js';
import { chooseJoins, type JoinCase } from './quote-unit.js';
import type { RankedSentence } from './rerank.js';

/** Where a quote comes from, as shown under it. */
export interface QuoteSource {
  articleId: string;
  title: string;
  outlet: string;
  date: string;
  url?: string;
}

/** One answer: exact sentences of one article, with where they come from. */
export interface Quote extends QuoteSource {
  /** The article's own words, unchanged: one sentence, or it with the neighbours that complete it (consecutive). */
  text: string;
  /** Ids of the quoted sentences, in article order (valid in the build that answered). */
  sentenceIds: number[];
  /** The quoted sentences' texts: what finds them again in a later build. */
  sentences: string[];
  score: number;
  /** Other articles that report the same statement. */
  alsoIn: QuoteSource[];
}

/** "title — outlet · date", leaving out what the article does not say. */
export function sourceLine(source: Pick<QuoteSource, 'title' | 'outlet' | 'date'>): string {
  const where = [source.outlet, source.date].filter(Boolean).join(' · ');
  return where ? `${source.title} — ${where}` : source.title;
}

function sourceOf(meta: ArticleMeta | undefined, articleId: string): QuoteSource {
  if (!meta) return { articleId, title: '', outlet: '', date: '' };
  return { articleId, title: meta.title, outlet: meta.outlet, date: meta.date, ...(meta.url ? { url: meta.url } : {}) };
}

/** Share of the smaller set's terms found in the larger one (0 for sets too small to tell). */
function containment(a: Set<string>, b: Set<string>, minTerms: number): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size < minTerms) return 0;
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return shared / small.size;
}

/** Where a ranked sentence stands against the quotes chosen before it (see QuoteChoice.accept). */
export interface QuotePlace {
  /** Its article. */
  articleId: string;
  /** The first quote's article (undefined while there is none). */
  firstArticleId?: string;
}

export interface QuoteChoice {
  /** What the question asks for (a date, a number): a next sentence that holds it may complete a quote. */
  answerType?: AnswerType;
  /** Whether a ranked sentence may be quoted (see the relevance check); one refused is passed over. Default: all. */
  accept?: (candidate: RankedSentence, place: QuotePlace) => boolean;
  /** The share of the question's IDF-weighted words a text holds (TermWeights.coverage); the quote unit weighs it. Default: 0. */
  coverage?: (text: string) => number;
}

/**
 * Turns ranked sentences into `count` quotes: best first, each the sentence
 * with the neighbours the quote unit joins (quote-unit.ts: the learned model
 * of options.unit, or without one the rules), within the unit's length cap; the same
 * statement from several outlets quoted once (the others listed in `alsoIn`). Two
 * calls to the index: the ranked sentences with their neighbours, then the
 * sources of the articles quoted.
 */
export async function selectQuotes(
  index: SearchIndex,
  ranked: RankedSentence[],
  count: number,
  options: QuotingOptions,
  { answerType, accept = () => true, coverage = () => 0 }: QuoteChoice = {},
): Promise<Quote[]> {
  const fusedOf = new Map(ranked.map((r) => [r.id, r.fused]));
  const scoreOf = new Map(ranked.map((r) => [r.id, r.score]));
  const wanted = [...new Set(ranked.flatMap(({ id }) => [id, id + 1, id - 1]))];
  const found = await index.sentences(wanted);
  const sentenceOf = new Map(wanted.map((id, i) => [id, found[i]]));
  const used = new Set<number>();
  // Sources are filled in once every quote is chosen: one call for all their articles.
  const quotes: (Omit<Quote, keyof QuoteSource | 'alsoIn'> & {
    articleId: string;
    alsoIn: string[];
    terms: Set<string>;
  })[] = [];

  // Each text's coverage once: a sentence is a quote's and a neighbour's.
  const covered = new Map<string, number>();
  const coverageOf = (text: string) => {
    let value = covered.get(text);
    if (value === undefined) {
      value = coverage(text);
      covered.set(text, value);
    }
    return value;
  };
  // Each neighbour of the same article not quoted yet is a case for the quote unit (quote-unit.ts).
  const casesOf = (candidate: RankedSentence, sentence: IndexedSentence) =>
    [candidate.id + 1, candidate.id - 1].flatMap((neighbourId) => {
      const neighbour = sentenceOf.get(neighbourId);
      if (!neighbour || neighbour.articleId !== sentence.articleId || used.has(neighbourId)) return [];
      const join: JoinCase = {
        side: neighbourId < candidate.id ? 'before' : 'after',
        sentence: sentence.text,
        neighbour: neighbour.text,
        answerType,
        sentenceCoverage: coverageOf(sentence.text),
        neighbourCoverage: coverageOf(neighbour.text),
        position: sentence.position,
        fusedShare: (fusedOf.get(neighbourId) ?? 0) / (candidate.fused || 1),
        scoreGap: scoreOf.has(neighbourId) ? (scoreOf.get(neighbourId) ?? 0) - candidate.score : undefined,
      };
      return [{ neighbour, join }];
    });
  const { unit } = options;
  const mass = unit?.neighbourMass ?? 0;
  let order = ranked;
  if (unit && mass > 0 && ranked.length > 1) {
    // The first quote: the one that holds the most of the rerank's weight (see QuoteUnitModel.neighbourMass).
    // Further quotes keep the rerank's order (reordered too, they lost 0.7 points of hit@3).
    const best = ranked[0].score;
    const weightOf = (candidate: RankedSentence) => {
      const sentence = sentenceOf.get(candidate.id);
      let weight = Math.exp(candidate.score - best);
      if (!sentence) return weight;
      for (const { neighbour } of chooseJoins(unit, sentence.text.length, casesOf(candidate, sentence), options)) {
        const score = scoreOf.get(neighbour.id);
        if (score !== undefined) weight += mass * Math.exp(score - best);
      }
      return weight;
    };
    let first = ranked[0];
    let most = weightOf(first);
    const at = (id: number) => Math.exp((scoreOf.get(id) ?? -Infinity) - best);
    for (const candidate of ranked.slice(1)) {
      // What it could weigh were both neighbours joined: most candidates cannot win, and cost no join decision.
      if (at(candidate.id) + mass * (at(candidate.id - 1) + at(candidate.id + 1)) <= most) continue;
      const weight = weightOf(candidate);
      if (weight > most) [first, most] = [candidate, weight];
    }
    order = [first, ...ranked.filter((c) => c !== first)];
  }

  for (const candidate of order) {
    if (quotes.length >= count) break;
    const { id, score } = candidate;
    const sentence = sentenceOf.get(id);
    if (
      !sentence ||
      used.has(id) ||
      !accept(candidate, { articleId: sentence.articleId, firstArticleId: quotes[0]?.articleId })
    )
      continue;
    const picked = [sentence];
    const quoteUnit = quotes.length === 0 || options.unitForFurther ? unit : null;
    for (const { neighbour } of chooseJoins(quoteUnit, sentence.text.length, casesOf(candidate, sentence), options))
      picked.push(neighbour);
    picked.sort((a, b) => a.id - b.id);
    for (const s of picked) used.add(s.id);
    // The quote stands for its best-scored sentence: chosen by weight, it may be a joined neighbour (it is the
    // candidate itself otherwise). Its terms find the same statement in other outlets; its score is the quote's.
    const lead = picked.reduce((a, b) => ((scoreOf.get(b.id) ?? -Infinity) > (scoreOf.get(a.id) ?? -Infinity) ? b : a));
    const terms = new Set(contentTerms(lead.text));
    const twin = quotes.find((q) => containment(q.terms, terms, options.minDuplicateTerms) >= options.duplicateOverlap);
    if (twin) {
      if (sentence.articleId !== twin.articleId && !twin.alsoIn.includes(sentence.articleId)) {
        twin.alsoIn.push(sentence.articleId);
      }
      continue;
    }
    const texts = picked.map((s) => s.text);
    quotes.push({
      articleId: sentence.articleId,
      text: texts.join(' '),
      sentenceIds: picked.map((s) => s.id),
      sentences: texts,
      score: Math.max(score, scoreOf.get(lead.id) ?? score),
      alsoIn: [],
      terms,
    });
  }
  const articleIds = [...new Set(quotes.flatMap((q) => [q.articleId, ...q.alsoIn]))];
  const metas = await (articleIds.length > 0 ? index.articleMetas(articleIds) : []);
  const metaOf = new Map(articleIds.map((id, i) => [id, metas[i]]));
  const source = (articleId: string) => sourceOf(metaOf.get(articleId), articleId);
  return quotes.map(({ terms: _terms, articleId, alsoIn, ...quote }) => ({
    ...source(articleId),
    ...quote,
    alsoIn: alsoIn.map(source),
  }));
}

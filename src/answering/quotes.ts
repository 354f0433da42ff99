import { contentTerms } from '../arabic/tokens.js';
import type { SearchIndex } from '../index/open.js';
import type { RankedSentence } from './retrieve.js';

/** An article a quote comes from. */
export interface QuoteSource {
  articleId: string;
  title: string;
  outlet: string;
  date: string;
}

/** One answer: exact sentences of one article, with where they come from. */
export interface Quote extends QuoteSource {
  /** The article's own words, unchanged (one sentence, or two that belong together). */
  text: string;
  /** Global ids of the quoted sentences, in article order (valid in the index that answered). */
  sentenceIds: number[];
  /** The quoted sentences' texts: what finds them again in a later index. */
  sentences: string[];
  score: number;
  /** Other articles that report the same statement. */
  alsoIn: QuoteSource[];
}

export interface QuoteOptions {
  /** How many quotes to return. */
  count: number;
  /** How many distinct quotes to pass over first ("more" pages). */
  offset?: number;
  /** A neighbour sentence joins a quote when its own score is at least this share of the quote's. */
  neighbourShare?: number;
  /**
   * Two sentences are the same statement when this share of the shorter one's
   * content words is in the other (the same quote, reported more fully).
   */
  duplicateOverlap?: number;
}

function sourceOf(index: SearchIndex, sentenceId: number): QuoteSource {
  const a = index.articles[index.sentences[sentenceId].article];
  return { articleId: a.id, title: a.title, outlet: a.outlet, date: a.date };
}

function termSet(text: string): Set<string> {
  return new Set(contentTerms(text));
}

/** Too few words to tell a repeated statement from a coincidence. */
const MIN_DUPLICATE_TERMS = 5;

/** Share of the smaller set's terms found in the larger one. */
function containment(a: Set<string>, b: Set<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size < MIN_DUPLICATE_TERMS) return 0;
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return shared / small.size;
}

/**
 * Turns ranked sentences into quotes: best first, a neighbour sentence
 * attached where the answer runs on into it, the same statement from several
 * outlets quoted once (the others listed in `alsoIn`).
 */
export function selectQuotes(index: SearchIndex, ranked: RankedSentence[], options: QuoteOptions): Quote[] {
  const { count, offset = 0, neighbourShare = 0.7, duplicateOverlap = 0.7 } = options;
  const fusedOf = new Map(ranked.map((r) => [r.id, r.fused]));
  const used = new Set<number>();
  const quotes: (Quote & { terms: Set<string> })[] = [];

  for (const { id, score, fused } of ranked) {
    if (quotes.length >= offset + count) break;
    if (used.has(id)) continue;
    const ids = [id];
    const { article } = index.sentences[id];
    for (const neighbour of [id + 1, id - 1]) {
      const n = index.sentences[neighbour];
      if (!n || n.article !== article || used.has(neighbour)) continue;
      if ((fusedOf.get(neighbour) ?? 0) >= neighbourShare * fused) ids.push(neighbour);
      if (ids.length === 2) break;
    }
    ids.sort((a, b) => a - b);
    ids.forEach((i) => used.add(i));
    const terms = termSet(index.sentences[id].text);
    const twin = quotes.find((q) => containment(q.terms, terms) >= duplicateOverlap);
    if (twin) {
      const source = sourceOf(index, id);
      if (source.articleId !== twin.articleId && !twin.alsoIn.some((s) => s.articleId === source.articleId)) {
        twin.alsoIn.push(source);
      }
      continue;
    }
    const sentences = ids.map((i) => index.sentences[i].text);
    quotes.push({ ...sourceOf(index, id), text: sentences.join(' '), sentenceIds: ids, sentences, score, alsoIn: [], terms });
  }
  return quotes.slice(offset).map(({ terms: _terms, ...quote }) => quote);
}

import { contentTerms } from '../arabic/tokens.js';

/**
 * BM25 as every engine scores it: the analysis, the formula and the
 * collection statistics it reads, kept apart from any one index (as
 * tantivy's Bm25StatisticsProvider is), so that the local engine's flat
 * arrays and the postgres engine's tables give the same scores, to the bit,
 * from the same terms. `test/search/contract.ts` checks each engine's
 * lexicalSearch against `scoreDocument` below.
 *
 * The formula is MiniSearch's BM25+ (its defaults), with which the index was
 * first built:
 *   idf(term) = log(1 + (N - n + 0.5) / (n + 0.5))
 *   score(doc) = matched × Σ over the query's terms in order (repeats kept) held by doc:
 *                idf × (d + tf × (k + 1) / (tf + k × (1 - b + b × length / avgLength)))
 * where `matched` is how many distinct query terms the document holds, and
 * a document's length is its number of distinct tokens. Equal scores are
 * ordered by the first query term a document holds, then by document order:
 * the file of the passage's article, then id (src/search/order.ts), which is
 * id order in a fresh build. The average length goes through the documents
 * in that order too, so that engines whose ids differ score alike.
 */

/** The shared Arabic analysis (see analyze): the terms BM25 indexes and searches are the ones coverage and quotes count. */
export const ANALYSIS = {
  tokenize: (text: string): string[] => contentTerms(text),
  processTerm: (term: string): string | string[] | null => term,
};

/** MiniSearch's BM25+ parameters. */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** What BM25 needs to know of the whole collection searched (one index, a build's parts together, or a database's tables). */
export interface CollectionStats {
  /** N: documents in the collection. */
  documents: number;
  /** The average document length, as `runningAverage` computes it. */
  avgLength: number;
  /** Documents holding an analysed term. */
  frequency(term: string): number;
}

/**
 * The collection statistics as their own seam: an engine that keeps them
 * elsewhere (a database table) hands them over for a query's terms.
 */
export interface Bm25StatisticsProvider {
  /** The statistics, with the frequencies of at least these (analysed) terms. */
  statistics(terms: readonly string[]): Promise<CollectionStats>;
}

/*
 * The formula split so that the first factor is computed once per term and
 * the length part once per document (the same operations on the same values:
 * the same bits as MiniSearch's calcBM25Score).
 */
export function inverseDocumentFrequency(matching: number, total: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}

export function lengthNorm(length: number, avgLength: number): number {
  const { k, b } = BM25;
  return k * (1 - b + (b * length) / avgLength);
}

export function termScore(idf: number, termFreq: number, norm: number): number {
  return idf * (BM25.d + (termFreq * (BM25.k + 1)) / (termFreq + norm));
}

/** What the analysis makes of one document: its length for BM25 and its terms with their counts. */
export interface AnalysedDoc {
  length: number;
  terms: Map<string, number>;
}

/**
 * Analyses documents the way MiniSearch indexed them: the length is the
 * number of distinct tokens; each token's processed term(s) are counted.
 * processTerm is a pure function of the token, so its results are kept for
 * the analyser's life (chunks repeat their sentences' words).
 */
export function analyser(): (text: string) => AnalysedDoc {
  const processed = new Map<string, ReturnType<typeof ANALYSIS.processTerm>>();
  return (text) => {
    const tokens = ANALYSIS.tokenize(text);
    const terms = new Map<string, number>();
    for (const token of tokens) {
      let term = processed.get(token);
      if (term === undefined && !processed.has(token)) {
        term = ANALYSIS.processTerm(token);
        processed.set(token, term);
      }
      if (Array.isArray(term)) for (const t of term) terms.set(t, (terms.get(t) ?? 0) + 1);
      else if (term) terms.set(term, (terms.get(term) ?? 0) + 1);
    }
    return { length: new Set(tokens).size, terms };
  };
}

/** The terms a query is searched as, in order (repeats kept: each occurrence scores). */
export function queryTerms(query: string): string[] {
  return ANALYSIS.tokenize(query)
    .flatMap((token) => ANALYSIS.processTerm(token))
    .filter((term): term is string => !!term);
}

/** The average length as MiniSearch computes it, one document at a time (same rounding): what avgLength must be. */
export function runningAverage(lengths: Iterable<number>): number {
  let average = 0;
  let count = 0;
  for (const length of lengths) {
    average = (average * count + length) / (count + 1);
    count++;
  }
  return average;
}

/** The statistics of a collection of analysed documents, in collection order: the reference an engine's must equal. */
export function collectionStats(docs: readonly AnalysedDoc[]): CollectionStats {
  const frequencies = new Map<string, number>();
  for (const doc of docs) for (const term of doc.terms.keys()) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  return {
    documents: docs.length,
    avgLength: runningAverage(docs.map((d) => d.length)),
    frequency: (term) => frequencies.get(term) ?? 0,
  };
}

/**
 * One document's score for analysed query terms (see queryTerms), or 0
 * when it holds none: the formula above, added up in the query's order.
 */
export function scoreDocument(terms: readonly string[], doc: AnalysedDoc, stats: CollectionStats): number {
  const norm = lengthNorm(doc.length, stats.avgLength);
  let sum = 0;
  let started = false;
  const matched = new Set<string>();
  for (const term of terms) {
    const tf = doc.terms.get(term) ?? 0;
    if (tf === 0) continue;
    matched.add(term);
    const score = termScore(inverseDocumentFrequency(stats.frequency(term), stats.documents), tf, norm);
    sum = started ? sum + score : score;
    started = true;
  }
  return sum * matched.size;
}

/** One term's postings in a collection: passage ids ascending, with each passage's tf and length (distinct tokens). */
export interface PostingList {
  ids: ArrayLike<number>;
  tfs: ArrayLike<number>;
  lengths: ArrayLike<number>;
}

/** A passage scored by rankPostings, with what orders equal scores: the first query place it holds a term of. */
export interface RankedPassage {
  id: number;
  score: number;
  first: number;
}

/** Upper bounds are compared with this much room: a bound's sum, rounded in another order than a score's, may differ in its last bits. */
export const BOUND_MARGIN = 1 + 1e-9;

/**
 * The best `k` passages for analysed query terms (in order, repeats kept),
 * scored as scoreDocument scores them (the same functions, in the same
 * order: the same bits as the local engine's rank) from whole posting lists
 * (`postings.get(term)`; a term without one matches nothing): best first,
 * equal scores by the first query place held, then id, and after the k-th
 * every passage equal to it in score and first place (a run of equals the
 * cut splits, for an order that is not id order: src/search/order.ts).
 *
 * The lists are walked together in id order, pruned as the local engine's
 * rank prunes (MaxScore, local/lexical.ts): once k passages are scored, the
 * weakest terms whose highest possible contributions together cannot reach
 * the k-th score no longer bring passages in, and are only looked up (a
 * galloping search) for the passages the other terms bring in.
 */
export function rankPostings(
  terms: readonly string[],
  postings: ReadonlyMap<string, PostingList>,
  stats: { documents: number; avgLength: number; frequency(term: string): number },
  k: number,
): RankedPassage[] {
  if (k <= 0) return [];
  // The distinct terms held, with their first place and highest possible contribution (once per occurrence).
  const held = new Map<string, { list: PostingList; first: number; idf: number; bound: number }>();
  for (const [place, term] of terms.entries()) {
    const entry = held.get(term);
    if (entry) {
      entry.bound += entry.idf * (BM25.d + BM25.k + 1);
      continue;
    }
    const list = postings.get(term);
    if (!list || list.ids.length === 0) continue;
    const idf = inverseDocumentFrequency(stats.frequency(term), stats.documents);
    // termScore is below idf × (d + k + 1) whatever the frequency and length.
    held.set(term, { list, first: place, idf, bound: idf * (BM25.d + BM25.k + 1) });
  }
  if (held.size === 0) return [];
  // Weakest first: the first `weak` terms alone cannot reach the k-th score.
  const lists = [...held.values()].sort((a, b) => a.bound - b.bound);
  const n = lists.length;
  const at = new Map([...held.keys()].map((term) => [term, lists.indexOf(held.get(term) as (typeof lists)[0])]));
  // Each place of the query as an index into `lists` (-1: not held).
  const places = Int32Array.from(terms, (term) => at.get(term) ?? -1);
  const ids = lists.map((l) => l.list.ids);
  const tfs = lists.map((l) => l.list.tfs);
  const lengths = lists.map((l) => l.list.lengths);
  const ends = Int32Array.from(lists, (l) => l.list.ids.length);
  const cursors = new Int32Array(n);
  const upTo = new Float64Array(n);
  for (let i = 0, sum = 0; i < n; i++) upTo[i] = sum += lists[i].bound;
  const tf = new Float64Array(n);
  let weak = 0;
  const best: RankedPassage[] = [];
  /** Passages equal to the k-th in score and first place, after it by id. */
  let tied: RankedPassage[] = [];
  for (;;) {
    // The next passage any strong term holds.
    let id = Number.POSITIVE_INFINITY;
    for (let i = weak; i < n; i++) if (cursors[i] < ends[i] && ids[i][cursors[i]] < id) id = ids[i][cursors[i]];
    if (id === Number.POSITIVE_INFINITY) break;
    let matched = 0;
    let first = Number.POSITIVE_INFINITY;
    let length = 0;
    for (let i = 0; i < n; i++) {
      tf[i] = 0;
      let c = cursors[i];
      if (i < weak) {
        c = seek(ids[i], c, ends[i], id);
        cursors[i] = c;
      }
      if (c < ends[i] && ids[i][c] === id) {
        tf[i] = tfs[i][c];
        length = lengths[i][c];
        if (i >= weak) cursors[i] = c + 1;
        matched++;
        if (lists[i].first < first) first = lists[i].first;
      }
    }
    // The sum in the query's order, as scoreDocument adds it up.
    const norm = lengthNorm(length, stats.avgLength);
    let sum = 0;
    let started = false;
    for (let p = 0; p < places.length; p++) {
      const i = places[p];
      if (i < 0 || tf[i] === 0) continue;
      const score = termScore(lists[i].idf, tf[i], norm);
      sum = started ? sum + score : score;
      started = true;
    }
    const score = sum * matched;
    if (best.length === k) {
      const last = best[k - 1];
      if (score < last.score || (score === last.score && first >= last.first)) {
        // Ids come in order: an equal one comes after the k-th.
        if (score === last.score && first === last.first) tied.push({ id, score, first });
        continue;
      }
      best[k - 1] = { id, score, first };
      tied.push(last);
    } else best.push({ id, score, first });
    // Keep the list ordered (best first); k is small.
    for (let j = best.length - 1; j > 0 && better(best[j], best[j - 1]); j--)
      [best[j - 1], best[j]] = [best[j], best[j - 1]];
    if (best.length === k) {
      const last = best[k - 1];
      if (tied.length > 0) tied = tied.filter((t) => t.score === last.score && t.first === last.first);
      // A passage holding only the weak terms scores at most their bounds' sum times their number (with room for rounding).
      while (weak < n && upTo[weak] * (weak + 1) * BOUND_MARGIN < last.score) weak++;
    }
  }
  return tied.length === 0 ? best : [...best, ...tied.sort((a, b) => a.id - b.id)];
}

function better(a: RankedPassage, b: RankedPassage): boolean {
  return a.score > b.score || (a.score === b.score && (a.first < b.first || (a.first === b.first && a.id < b.id)));
}

/** The first place at or after `from` (and before `end`) whose id is at least `id` (ids ascending): galloping, then binary search. */
export function seek(ids: ArrayLike<number>, from: number, end: number, id: number): number {
  let low = from;
  let step = 1;
  while (low + step < end && ids[low + step] < id) {
    low += step;
    step *= 2;
  }
  let high = Math.min(low + step, end);
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ids[mid] < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

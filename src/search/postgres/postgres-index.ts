import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import type { ArticleMeta } from '../../corpus/article.js';
import {
  BM25,
  BOUND_MARGIN,
  inverseDocumentFrequency,
  lengthNorm,
  type PostingList,
  queryTerms,
  type RankedPassage,
  rankPostings,
  seek,
  termScore,
} from '../bm25.js';
import { orderTies, tiedIds } from '../order.js';
import type {
  ChunkSpan,
  IndexedArticle,
  IndexedSentence,
  PassageHit,
  PassageKind,
  SearchIndex,
} from '../search-index.js';
import { dot } from '../vectors.js';
import {
  BYTES_PER_POSTING,
  decodePostings,
  ENTRY_OVERHEAD_BYTES,
  KEY_PREFIX_CHARS,
  PostingsCache,
} from './postings-cache.js';
import { type BuildRow, KIND, VISIBLE, versionOf, visible } from './store.js';

/**
 * HNSW's candidate list while searching, as the local graphs search
 * (local/hnsw.ts: efSearch 64, or k when larger). Filtered to the build with
 * iterative_scan = strict_order, so that rows of other builds skipped still
 * leave k hits, in distance order (schema.ts, dense_search).
 */
export const EF_SEARCH = 64;

/*
 * A build's rows never change, so what a question read may serve the next
 * ones from memory, in bounded caches (least recently used out first) per
 * index: at most about 20 MiB of vectors (1 KiB each at 256 dimensions),
 * 20,000 sentences (about 8 MiB: news sentences in UTF-16), 10,000
 * articles' sources, 50,000 chunk spans and 50,000 passages' files per kind
 * (about 10 MiB together); and the engine's postings cache (POSTINGS_CACHE_MB,
 * postings-cache.ts). A fresh process starts with none and asks the database.
 */
const MAX_CACHED_VECTORS = 20_000;
const MAX_CACHED_SENTENCES = 20_000;
const MAX_CACHED_ARTICLES = 10_000;
const MAX_CACHED_SPANS = 50_000;

/** Passages' article files kept per index and kind (what orders equal hits in a build whose ids do not follow the files). */
const MAX_CACHED_FILES = 50_000;

/** Terms' statistics kept per index (one build): terms repeat from question to question. */
const MAX_CACHED_FREQUENCIES = 50_000;

/** Postings a lexical search's round brings in as candidates, at most (unless its one rarest term has more). */
const ROUND_POSTINGS = 2_000;

/**
 * A term with more postings than this (in one kind) is not read whole into
 * the postings cache: a search with such a term not cached goes to the
 * database's rounds, which read only the postings of the passages rarer
 * terms bring in. Chosen by measurement (BENCHMARKS.md).
 */
const WHOLE_TERM_POSTINGS = 50_000;

/**
 * A term's postings in one value (decodePostings): per posting, in passage
 * order, int8 passage, int4 tf, int4 length; one value a term rather than a
 * row a posting, in base64 (see base64()).
 */
const POSTINGS_AGGREGATE = base64(
  `string_agg(int8send(passage) || int4send(tf) || int4send(length), ''::bytea ORDER BY passage)`,
);

/**
 * Bytes as the queries send them: base64 text. node-postgres reads results
 * as text only, and a bytea printed as text is hex, twice its bytes; base64
 * is a third more than its bytes, and cheaper for the server to print
 * (measured: 200 vectors, 2.9 ms hex, 1.7 ms base64).
 */
function base64(bytes: string): string {
  return `encode(${bytes}, 'base64')`;
}

/** A sentence's vector in pgvector's binary form (fromVectorSend), as the queries send it. */
const vectorOut = (column: string) => base64(`vector_send(${column})`);

/** A term's statistics as term_stats holds them, with its postings (POSTINGS_AGGREGATE) when asked. */
interface TermStatsRow {
  kind: number;
  term: string;
  documents: number;
  max_tf: number;
  min_length: number;
  postings: string | null;
}

/** The kind of passage a row's `kind` column names (KIND). */
function kindOf(code: number): PassageKind {
  return code === KIND.sentence ? 'sentence' : 'chunk';
}

/** A term_stats row's statistics. */
function statsOf(r: TermStatsRow): TermStats {
  return { documents: r.documents, maxTf: r.max_tf, minLength: r.min_length };
}

/** A term's postings in one build, as BM25's upper bound needs them. */
interface TermStats {
  documents: number;
  maxTf: number;
  minLength: number;
}

const NOT_HELD: TermStats = { documents: 0, maxTf: 0, minLength: 0 };

/**
 * The best $6 passages by BM25 (and every one tied with the last, so that a
 * run of equal scores at the cut comes whole for the shared tie order of
 * order.ts, which may not be id order), from the postings of the query's held terms
 * $3 (the postings' covering key: index-only scans): every passage holding
 * one, or (`candidates`) only those holding one of the terms $14, looked up
 * by key (kind, term, passage). Scored in the database with bm25.ts's
 * formula, operation for operation in float8 (IEEE doubles, as JavaScript's
 * numbers), from the values the process computed: each place of the query
 * ($4, repeats kept) with its term's IDF ($5), and the constants $7 d,
 * $8 k + 1, $9 k, $10 1 - b, $11 b, $12 the average length. Terms' scores
 * are added in the query's order (an ordered aggregate: sum's float8 additions
 * one by one), then times the distinct terms held (the places flagged $13, each
 * term's first), as scoreDocument does;
 * equal scores in its order (the first query place held, then the passage).
 * The scores travel as their eight bytes (float8send), whatever the server's
 * extra_float_digits. So they are the local engine's to the bit, and only k
 * rows (and their ties) travel.
 */
function roundQuery(candidates: boolean): string {
  return `WITH q AS (SELECT term, idf, first, place FROM unnest($4::text[], $5::float8[], $13::boolean[]) WITH ORDINALITY AS q (term, idf, first, place)),
          p AS (
            SELECT p.passage, p.term, p.tf::float8 AS tf,
                   $9::float8 * ($10::float8 + ($11::float8 * p.length::float8) / $12::float8) AS norm
              FROM postings p
             WHERE p.kind = $2 AND p.term = ANY($3::text[]) AND ${visible('p')}${
               candidates
                 ? ` AND p.passage = ANY(ARRAY(
                     SELECT DISTINCT c.passage FROM postings c
                      WHERE c.kind = $2 AND c.term = ANY($14::text[]) AND ${visible('c')}))`
                 : ''
             })
   SELECT passage, float8send(score) AS score, first FROM (
     SELECT p.passage,
            sum(q.idf * ($7::float8 + (p.tf * $8::float8) / (p.tf + p.norm)) ORDER BY q.place)
              * count(*) FILTER (WHERE q.first)::float8 AS score,
            min(q.place) AS first
       FROM p JOIN q ON q.term = p.term
      GROUP BY p.passage
      ORDER BY score DESC, first
      FETCH FIRST ($6) ROWS WITH TIES) best`;
}

/**
 * One published build in the database, read through a connection pool: every
 * member is one query whatever the number of ids (a lexical search: one per
 * round, and one more while its terms' statistics are new), so a question
 * costs a handful of round trips (counted in `roundTrips`).
 *
 * - lexicalSearch: the database finds the postings and scores them with
 *   bm25.ts's formula in float8, fed the process's IDFs and constants (so
 *   scores equal the local engine's to the bit: see roundQuery); pruned as
 *   the local engine's MaxScore prunes (see lexicalSearch), so that common
 *   terms' postings are read only for the passages rarer terms bring in.
 * - denseSearch: pgvector's HNSW (cosine), filtered to the build.
 * - similarities: computed here from the stored float32 vectors, exactly as
 *   the local engine computes them.
 */
export class PostgresIndex implements SearchIndex {
  readonly version: string;
  readonly model: string;
  readonly sentenceCount: number;
  /** Queries sent since the index opened (a question's cost, for tests and benchmarks). */
  roundTrips = 0;
  /** Lexical searches' rounds, and the terms they ruled out (never brought in their passages), since the index opened. */
  readonly pruning = { searches: 0, rounds: 0, ruledOut: 0 };
  /** Postings a lexical search's round brings in as candidates, at most (tests set it low, to prune on a small corpus). */
  roundPostings = ROUND_POSTINGS;
  /** A term with more postings is never read whole (tests and benchmarks change it). */
  wholeTermPostings = WHOLE_TERM_POSTINGS;
  /** Lexical searches scored in the process from whole postings, and the terms' postings read for them, since the index opened. */
  readonly cached = { searches: 0, termsRead: 0, postingsRead: 0, termsIn: 0 };
  private readonly build: number;
  private readonly termStats: Record<PassageKind, Map<string, TermStats>> = { sentence: new Map(), chunk: new Map() };
  private readonly vectorCache = new LRUCache<number, Float32Array>({ max: MAX_CACHED_VECTORS });
  private readonly sentenceCache = new LRUCache<number, IndexedSentence>({ max: MAX_CACHED_SENTENCES });
  private readonly articleCache = new LRUCache<string, ArticleMeta>({ max: MAX_CACHED_ARTICLES });
  private readonly spanCache = new LRUCache<number, ChunkSpan>({ max: MAX_CACHED_SPANS });
  private readonly fileCache: Record<PassageKind, LRUCache<number, string>> = {
    sentence: new LRUCache({ max: MAX_CACHED_FILES }),
    chunk: new LRUCache({ max: MAX_CACHED_FILES }),
  };
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly row: BuildRow,
    /** The engine's, shared by its indexes (keyed by build): none kept by default. */
    private readonly postings: PostingsCache = new PostingsCache(0),
  ) {
    this.build = row.id;
    this.version = versionOf(row.id);
    this.model = row.model;
    this.sentenceCount = row.sentences;
  }

  /**
   * One query. Prepared (`prepare`, the default): each connection parses
   * and plans it once under a name, and then sends only the values, as a
   * question's handful of queries repeat with every question. The search
   * rounds are not (their plans depend on how many postings the terms hold).
   */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[], prepare = true): Promise<R[]> {
    if (this.closed) throw new Error('PostgresIndex: used after close()');
    this.roundTrips++;
    return (await this.pool.query<R>(prepare ? { name: statementName(text), text, values } : { text, values })).rows;
  }

  /**
   * Each term's statistics (documents holding it; highest tf and shortest
   * passage, or bounds of them: see build.ts, updateTermStatistics), from the
   * cache or in one query of the term_stats the build wrote.
   */
  private async termStatsOf(kind: PassageKind, terms: readonly string[]): Promise<TermStats[]> {
    return (await this.loadTermStats([kind], terms))[kind];
  }

  /**
   * Reads into the cache, in one query for every kind asked, the statistics
   * of the terms not known yet. With the postings cache on, the same query
   * also brings the postings of the terms a lexical search would read whole
   * and that are not kept yet (POSTINGS_AGGREGATE), into the postings cache:
   * a search of new terms waits for one round trip before scoring, not two,
   * and none when an earlier call brought its kind's too. Returns each
   * kind's statistics of `terms`, read from the cache as soon as the query
   * answered (another call may clear it while this one waits).
   */
  private async loadTermStats(
    kinds: readonly PassageKind[],
    terms: readonly string[],
  ): Promise<Record<PassageKind, TermStats[]>> {
    const resolved = () => {
      const stats = (kind: PassageKind) => terms.map((t) => this.termStats[kind].get(t) ?? NOT_HELD);
      return {
        sentence: kinds.includes('sentence') ? stats('sentence') : [],
        chunk: kinds.includes('chunk') ? stats('chunk') : [],
      };
    };
    const whole = this.postings.enabled;
    // Reads already under way (the answer's term weights, asked with the searches): waited for, not sent again.
    const underWay = new Set<Promise<void>>();
    // Per kind: terms not known, and (a search) known terms it would read whole whose postings are not kept.
    const missing = kinds.map((kind) => {
      const cache = this.termStats[kind];
      const unread = (term: string) => !this.postings.has(this.build, kind, term);
      const stale = [
        ...new Set(
          terms.filter((term) => {
            const known = cache.get(term);
            if (known === undefined) return true;
            return whole && known.documents > 0 && known.documents <= this.wholeTermPostings && unread(term);
          }),
        ),
      ].filter((term) => {
        const reading = this.termsReading.get(`${kind} ${term}`);
        if (reading) underWay.add(reading);
        return !reading;
      });
      return { kind, terms: stale, postings: whole ? stale.filter(unread) : [] };
    });
    const asked = missing.filter((m) => m.terms.length > 0);
    if (asked.length > 0) {
      const read = this.readTermStats(asked);
      const keys = asked.flatMap((m) => m.terms.map((term) => `${m.kind} ${term}`));
      for (const key of keys) this.termsReading.set(key, read);
      const done = () => {
        for (const key of keys) if (this.termsReading.get(key) === read) this.termsReading.delete(key);
      };
      read.then(done, done);
      underWay.add(read);
    }
    await Promise.all(underWay);
    return resolved();
  }

  /** Term statistics being read, by kind and term: the query bringing them. */
  private readonly termsReading = new Map<string, Promise<void>>();

  /** loadTermStats's one query, and what it brings into the caches. */
  private async readTermStats(
    asked: readonly { kind: PassageKind; terms: string[]; postings: string[] }[],
  ): Promise<void> {
    const whole = this.postings.enabled;
    const byKind = (kind: PassageKind) => asked.find((m) => m.kind === kind);
    // A term asked of one kind only is read for both: a few more rows, and one shape of query.
    const rows = await this.query<TermStatsRow>(
      `SELECT s.kind, s.term, s.documents, s.max_tf, s.min_length, ${
        whole
          ? `CASE WHEN s.documents <= $4 AND (s.kind = ${KIND.sentence} AND s.term = ANY($5::text[]) OR s.kind = ${KIND.chunk} AND s.term = ANY($6::text[])) THEN
               (SELECT ${POSTINGS_AGGREGATE} FROM postings p WHERE p.kind = s.kind AND p.term = s.term AND ${visible('p')})
             END`
          : 'NULL::text'
      } AS postings
         FROM term_stats s
        WHERE s.kind = ANY($2::smallint[]) AND s.term = ANY($3::text[]) AND ${visible('s')}`,
      [
        this.build,
        asked.map((m) => KIND[m.kind]),
        [...new Set(asked.flatMap((m) => m.terms))],
        ...(whole ? [this.wholeTermPostings, byKind('sentence')?.postings ?? [], byKind('chunk')?.postings ?? []] : []),
      ],
    );
    for (const { kind, terms: stale } of asked) {
      const cache = this.termStats[kind];
      if (cache.size + stale.length > MAX_CACHED_FREQUENCIES) cache.clear();
      for (const term of stale) cache.set(term, NOT_HELD);
    }
    for (const r of rows) {
      const kind = kindOf(r.kind);
      const wanted = byKind(kind);
      // Only the terms asked of this kind: a row of the other kind's is dropped, not cached half-known.
      if (!wanted?.terms.includes(r.term)) continue;
      this.termStats[kind].set(r.term, statsOf(r));
      if (r.postings) this.keepPostings(kind, r.term, r.postings);
    }
  }

  /**
   * Takes over the postings this replica's questions read in an older build
   * (`from`, the one it answered from before) for the terms this build did
   * not change, with their statistics, in one query. A build writes a term's
   * term_stats row again whenever it adds or removes a passage holding the
   * term (build.ts, updateTermStatistics), so a row this build sees that was
   * written in `from` or before means the same postings in both. What a new
   * article changed is read again when asked; the rest stays warm through an
   * editor's /add. Returns the entries taken over.
   */
  async carryOver(from: number): Promise<number> {
    const kept = this.postings.entriesOf(from);
    if (from >= this.build || kept.length === 0) return 0;
    const rows = await this.query<TermStatsRow>(
      `SELECT s.kind, s.term, s.documents, s.max_tf, s.min_length, NULL::text AS postings
         FROM unnest($2::smallint[], $3::text[]) AS c (kind, term)
         JOIN term_stats s ON s.kind = c.kind AND s.term = c.term
        WHERE ${visible('s')} AND s.added_in <= $4`,
      [this.build, kept.map((k) => KIND[k.kind]), kept.map((k) => k.term), from],
      false,
    );
    let carried = 0;
    for (const r of rows) {
      const kind = kindOf(r.kind);
      // Moved, not copied: the cache counts the arrays once (the old build's index, still answering
      // while this one opens, reads again what it asks of them).
      if (!this.postings.move(from, this.build, kind, r.term)) continue; // let go since
      // The statistics too, while the cache of them keeps room for the questions' (see warm).
      if (this.termStats[kind].size < MAX_CACHED_FREQUENCIES / 2) this.termStats[kind].set(r.term, statsOf(r));
      carried++;
    }
    return carried;
  }

  /**
   * Fills the caches before the first question with the statistics and the
   * whole postings of the build's commonest terms (of those read whole: the
   * most postings first), as many as `maxBytes` of the postings cache holds
   * (each entry counted at its arrays, a bound of its key, and its overhead),
   * in one query; terms kept already (carryOver) are counted, not read again.
   * These are the reads a new replica's first questions would wait for the
   * longest (a common term costs the database a scan of its postings); the
   * local engine starts with all of it in memory. At most half of
   * MAX_CACHED_FREQUENCIES terms, so that the statistics cache keeps room.
   * Not counted in `cached`, which counts what questions read. Returns the
   * terms and postings read.
   */
  async warm(maxBytes: number): Promise<{ terms: number; postings: number }> {
    if (!this.postings.enabled || maxBytes <= 0) return { terms: 0, postings: 0 };
    const kept = this.postings.entriesOf(this.build);
    const rows = await this.query<TermStatsRow>(
      `SELECT s.kind, s.term, s.documents, s.max_tf, s.min_length,
              CASE WHEN k.term IS NULL THEN
                (SELECT ${POSTINGS_AGGREGATE} FROM postings p WHERE p.kind = s.kind AND p.term = s.term AND ${visible('p')})
              END AS postings
         FROM (SELECT t.*, sum(t.documents::bigint * ${BYTES_PER_POSTING} + ${ENTRY_OVERHEAD_BYTES} + 2 * (length(t.term) + ${KEY_PREFIX_CHARS}))
                             OVER (ORDER BY t.documents DESC, t.kind, t.term) AS bytes
                 FROM (SELECT kind, term, documents, max_tf, min_length FROM term_stats
                        WHERE ${VISIBLE} AND documents <= $2 ORDER BY documents DESC, kind, term LIMIT $4) t) s
         LEFT JOIN unnest($5::smallint[], $6::text[]) AS k (kind, term) ON k.kind = s.kind AND k.term = s.term
        WHERE s.bytes <= $3`,
      [
        this.build,
        this.wholeTermPostings,
        Math.floor(maxBytes),
        MAX_CACHED_FREQUENCIES / 2,
        kept.map((k) => KIND[k.kind]),
        kept.map((k) => k.term),
      ],
      false,
    );
    let terms = 0;
    let postings = 0;
    for (const r of rows) {
      if (!r.postings) continue;
      const kind = kindOf(r.kind);
      this.termStats[kind].set(r.term, statsOf(r));
      postings += this.keepPostings(kind, r.term, r.postings, false).ids.length;
      terms++;
    }
    return { terms, postings };
  }

  /** A term's postings as POSTINGS_AGGREGATE sends them, decoded and kept in the postings cache (`counted` in `cached`: a question's read). */
  private keepPostings(kind: PassageKind, term: string, base64: string, counted = true): PostingList {
    const list = decodePostings(Buffer.from(base64, 'base64'));
    this.postings.set(this.build, kind, term, list);
    if (counted) {
      this.cached.termsRead++;
      this.cached.postingsRead += list.ids.length;
    }
    return list;
  }

  /**
   * BM25's best k, as the local engine scores and orders them (bm25.ts), one
   * of two ways. When every held term's postings are in the postings cache,
   * or are few enough to read whole (wholeTermPostings), they are scored in
   * the process (rankPostings: every posting; the terms not cached read in
   * one query, then kept). Otherwise in the database, in rounds (searchInRounds).
   */
  async lexicalSearch(kind: PassageKind, query: string, k: number): Promise<PassageHit[]> {
    const terms = queryTerms(query);
    if (terms.length === 0 || k <= 0) return [];
    const stats = await this.termStatsOf(kind, terms);
    const documents = kind === 'sentence' ? this.row.sentences : this.row.chunks;
    const avgLength = kind === 'sentence' ? this.row.sentence_avg_length : this.row.chunk_avg_length;
    // Each occurrence of a held term, at its place in the query (repeats score again, as in bm25.ts).
    const held = terms.flatMap((term, place) => (stats[place].documents > 0 ? [{ term, place }] : []));
    if (held.length === 0) return [];
    const distinct = new Map<string, { term: string; documents: number; bound: number }>();
    for (const { term } of held) {
      const { documents: n, maxTf, minLength } = stats[terms.indexOf(term)];
      const idf = inverseDocumentFrequency(n, documents);
      // termScore grows with tf and shrinks with length: this is its highest, once per occurrence in the query.
      const highest = termScore(idf, maxTf, lengthNorm(minLength, avgLength));
      const entry = distinct.get(term);
      if (entry) entry.bound += highest;
      else distinct.set(term, { term, documents: n, bound: highest });
    }
    const passages = { documents, avgLength };
    const scored =
      this.postings.enabled &&
      [...distinct.values()].every(
        (t) => t.documents <= this.wholeTermPostings || this.postings.has(this.build, kind, t.term),
      )
        ? await this.searchInProcess(kind, terms, distinct, passages, k)
        : await this.searchInRounds(kind, terms, distinct, passages, k);
    // Equal scores in the order every engine gives them, whatever the ids (src/search/order.ts): id order
    // when the build's ids follow its files (then the first k are it), else ordered by file.
    if (this.row.ids_in_file_order) return scored.slice(0, k).map((r) => ({ id: r.id, score: r.score }));
    const ordered = await this.orderTies(kind, scored, (a, b) => a.score === b.score && a.first === b.first, k);
    return ordered.map((r) => ({ id: r.id, score: r.score }));
  }

  /**
   * The best k (and every passage tied with the k-th) scored in the process
   * from the terms' whole postings: those cached, the others read in one
   * query (each term's postings as one value, not a row per posting) and kept.
   */
  private async searchInProcess(
    kind: PassageKind,
    terms: readonly string[],
    distinct: ReadonlyMap<string, { documents: number }>,
    { documents, avgLength }: { documents: number; avgLength: number },
    k: number,
  ): Promise<RankedPassage[]> {
    this.cached.searches++;
    const lists = new Map<string, PostingList>();
    const missing: string[] = [];
    for (const term of distinct.keys()) {
      const list = this.postings.get(this.build, kind, term);
      if (list) lists.set(term, list);
      else missing.push(term);
    }
    if (missing.length > 0) {
      // Usually none: termStatsOf brought new terms' postings with their statistics. These are terms
      // whose statistics were known but whose postings were not kept (or were let go since).
      const rows = await this.query<{ term: string; postings: string }>(
        `SELECT term, ${POSTINGS_AGGREGATE} AS postings
           FROM postings WHERE kind = $2 AND term = ANY($3::text[]) AND ${VISIBLE}
          GROUP BY term`,
        [this.build, KIND[kind], missing],
      );
      for (const r of rows) lists.set(r.term, this.keepPostings(kind, r.term, r.postings));
    }
    const frequency = (term: string) => distinct.get(term)?.documents ?? 0;
    return rankPostings(terms, lists, { documents, avgLength, frequency }, k);
  }

  /**
   * BM25's best k (and every passage tied with the k-th: more, best first),
   * found as the local engine's MaxScore finds them (local/
   * lexical.ts, rank), in rounds of one query each: a round reads every query
   * term's postings (by key, for those passages only) of the passages holding
   * the rarest terms not yet taken, scores them in the database as bm25.ts's
   * scoreDocument does (roundQuery), and keeps the best k so far (each
   * round's own best k: a passage below them cannot be in the top k). The k-th score then rules
   * out the most common terms whose highest possible contributions together
   * cannot reach it: passages holding only those cannot enter the top k, so
   * their postings are never read in full.
   * Rounds go on while a term that can still lift a passage to the top k
   * has not brought its passages in. Usually one or two rounds.
   */
  private async searchInRounds(
    kind: PassageKind,
    terms: readonly string[],
    distinct: ReadonlyMap<string, { term: string; documents: number; bound: number }>,
    { documents, avgLength }: { documents: number; avgLength: number },
    k: number,
  ): Promise<RankedPassage[]> {
    // Every place of the query with its term's IDF (a term the build does not hold: 0, it matches nothing).
    const idfs = terms.map((term) => {
      const n = distinct.get(term)?.documents ?? 0;
      return n > 0 ? inverseDocumentFrequency(n, documents) : 0;
    });
    // Each term's first place in the query: the places that count the distinct terms a passage holds.
    const firsts = terms.map((term, place) => terms.indexOf(term) === place);
    const { k: k1, b, d } = BM25;
    const score = async (candidatesOf?: readonly string[]) => {
      const rows = await this.query<{ passage: string; score: Buffer; first: string }>(
        roundQuery(candidatesOf !== undefined),
        [
          this.build,
          KIND[kind],
          [...distinct.keys()],
          terms,
          idfs,
          k,
          d,
          k1 + 1,
          k1,
          1 - b,
          b,
          avgLength,
          firsts,
          ...(candidatesOf ? [candidatesOf] : []),
        ],
        false,
      );
      return rows.map((r) => ({ passage: Number(r.passage), score: r.score.readDoubleBE(0), first: Number(r.first) }));
    };

    // Rarest first: the order in which terms bring their passages in.
    const pending = [...distinct.values()].sort((a, b) => a.documents - b.documents || (a.term < b.term ? -1 : 1));
    // Weakest first: the order in which terms are ruled out.
    const byBound = [...distinct.values()].sort((a, b) => a.bound - b.bound);
    this.pruning.searches++;
    const best = new Map<number, { passage: number; score: number; first: number }>();
    let top: { passage: number; score: number; first: number }[] = [];
    let round = 0;
    while (pending.length > 0) {
      // The terms that can still lift a passage into the top k (all, until k passages are scored).
      const threshold = top.length === k ? top[k - 1].score : 0;
      let weak = 0;
      let weakSum = 0;
      while (weak < byBound.length) {
        const sum = weakSum + byBound[weak].bound;
        // A passage holding only these terms scores at most their bounds' sum times their number (the
        // margin covers the sum's rounding in another order).
        if (!(sum * (weak + 1) * BOUND_MARGIN < threshold)) break;
        weakSum = sum;
        weak++;
      }
      const ruledOut = new Set(byBound.slice(0, weak).map((t) => t.term));
      const needed = pending.filter((t) => !ruledOut.has(t.term));
      if (needed.length === 0) {
        this.pruning.ruledOut += pending.length;
        break;
      }
      // This round's terms: the rarest needed, as many as the postings budget allows (at least one).
      let postings = 0;
      let taken = 0;
      while (taken < needed.length && (taken === 0 || postings + needed[taken].documents <= this.roundPostings)) {
        postings += needed[taken].documents;
        taken++;
      }
      const roundTerms = needed.slice(0, taken);
      const everything = round === 0 && taken === needed.length && needed.length === distinct.size;
      // Everything in one round: every posting of every term, no candidates to look up.
      const rows = await score(everything ? undefined : roundTerms.map((t) => t.term));
      round++;
      this.pruning.rounds++;
      for (const r of rows) best.set(Number(r.passage), { passage: Number(r.passage), score: r.score, first: r.first });
      top = [...best.values()]
        .sort((a, b) => b.score - a.score || a.first - b.first || a.passage - b.passage)
        .slice(0, k);
      for (const t of roundTerms) pending.splice(pending.indexOf(t), 1);
      if (everything) break;
    }
    return [...best.values()]
      .map((r) => ({ id: r.passage, score: r.score, first: r.first }))
      .sort((a, b) => b.score - a.score || a.first - b.first || a.id - b.id);
  }

  /**
   * Hits (best first) with runs of equal ones in the shared order: their articles' files, then id.
   * One more query, only when some are equal.
   */
  private async orderTies<T extends { id: number }>(
    kind: PassageKind,
    hits: T[],
    same: (a: T, b: T) => boolean,
    k: number,
  ): Promise<T[]> {
    // A build whose ids follow the files needs no files, but its ties still come in the graph's order: sort them by id.
    const tied = this.row.ids_in_file_order ? [] : tiedIds(hits, same, k);
    if (tied.length === 0) return orderTies(hits, same, () => '', k);
    const files = await readThrough(this.fileCache[kind], tied, async (missing) => {
      const rows = await this.query<{ id: string; file: string }>(
        `SELECT p.id, a.file FROM ${kind === 'sentence' ? 'sentences' : 'chunks'} p JOIN articles a ON a.key = p.article_key
          WHERE p.id = ANY($1::bigint[])`,
        [missing],
      );
      return rows.map((r) => [Number(r.id), r.file]);
    });
    return orderTies(hits, same, (id) => files.get(id) ?? '', k);
  }

  /**
   * The graph holds one vector per distinct text (sentence_vectors,
   * chunk_vectors: migration 6): its `k` nearest texts, each expanded into
   * every passage of the build with that text, in the shared order of equal
   * hits (their articles' files, then ids), cut to `k` passages. Expanded
   * in the same query (schema.ts, dense_search), with the files unless the
   * build's ids follow them: only the passages up to the cut (and those
   * tied with the last) travel.
   */
  async denseSearch(kind: PassageKind, vector: Float32Array, k: number): Promise<PassageHit[]> {
    if (k <= 0) return [];
    return this.denseAsks.load({ kind, vector, k: Math.trunc(k) });
  }

  /**
   * Dense searches asked together (in the same turn: a question asks both
   * kinds at once with one vector), in one query per vector and k.
   */
  private readonly denseAsks = new DataLoader<DenseAsk, PassageHit[]>((asks) => this.denseSearches(asks), {
    cache: false,
  });

  private async denseSearches(asks: readonly DenseAsk[]): Promise<(PassageHit[] | Error)[]> {
    const found = new Map<DenseAsk, PassageHit[] | Error>();
    // Each group its own query, and its own failure: asks of another question (another vector) are not held up.
    await Promise.all(
      groupBy(
        asks,
        (a) => a.vector,
        (a) => a.k,
      ).map(async (group) => {
        try {
          for (const [ask, hits] of await this.denseSearchGroup(group)) found.set(ask, hits);
        } catch (error) {
          for (const ask of group) found.set(ask, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return asks.map((ask) => found.get(ask) ?? []);
  }

  /** Dense searches of one vector and k (of one kind or both), in one query. */
  private async denseSearchGroup(group: readonly DenseAsk[]): Promise<[DenseAsk, PassageHit[]][]> {
    const { vector, k } = group[0];
    const kinds = [...new Set(group.map((a) => a.kind))];
    // A build whose ids follow its articles' files orders equal hits by id: no files to look up.
    const rows = await this.query<{ kind: number; id: string; distance: number; file: string }>(
      `SELECT q.kind, d.id, d.distance, d.file
         FROM unnest($1::smallint[]) AS q (kind), LATERAL dense_search(q.kind, $2::vector, $3, $4, $5, $6) d`,
      [
        kinds.map((kind) => KIND[kind]),
        toVectorRecv(vector),
        this.build,
        k,
        Math.max(EF_SEARCH, k),
        !this.row.ids_in_file_order,
      ],
    );
    const byKind = new Map(
      kinds.map((kind) => {
        const mine = rows.filter((r) => r.kind === KIND[kind]);
        const fileOf = new Map(mine.map((r) => [Number(r.id), r.file]));
        const hits = mine
          .map((r) => ({ id: Number(r.id), score: 1 - r.distance }))
          .sort((x, y) => y.score - x.score || x.id - y.id);
        return [
          kind,
          orderTies(
            hits,
            (x, y) => x.score === y.score,
            (id) => fileOf.get(id) ?? '',
            k,
          ),
        ] as const;
      }),
    );
    return group.map((ask) => [ask, byKind.get(ask.kind) ?? []]);
  }

  /**
   * The chunks' spans: those read before from memory, the others in one
   * query that also brings their sentences' vectors (what a question asks
   * next, to order each chunk's sentences: rankBySimilarity).
   */
  async chunks(ids: readonly number[]): Promise<ChunkSpan[]> {
    // A span kept whose sentences' vectors were let go since (a replica's questions touch more sentences
    // than it keeps vectors) is read again: its query brings them back, and the similarities need none.
    for (const id of ids) {
      const span = this.spanCache.peek(id);
      if (span && !this.keepsVectorsOf(span)) this.spanCache.delete(id);
    }
    const spans = await readThrough(this.spanCache, ids, async (missing) => {
      // The sentences by their ids (an index scan of an array, as the postings query does): a join on
      // "id BETWEEN first AND last" is planned as a scan of every sentence.
      const rows = await this.query<{
        id: string | null;
        first: string;
        last: string;
        sentence: string;
        embedding: string;
      }>(
        `WITH c AS MATERIALIZED (
           SELECT id, first_sentence, last_sentence FROM chunks WHERE id = ANY($2::bigint[]) AND ${VISIBLE})
         SELECT id, first_sentence AS first, last_sentence AS last, NULL::bigint AS sentence, NULL::text AS embedding
           FROM c
         UNION ALL
         SELECT NULL, NULL, NULL, s.id, ${vectorOut('s.embedding')} FROM sentences s
          WHERE s.id = ANY(ARRAY(SELECT generate_series(first_sentence, last_sentence) FROM c)) AND ${visible('s')}`,
        [this.build, missing],
      );
      const loaded: [number, ChunkSpan][] = [];
      for (const r of rows) {
        if (r.id !== null) loaded.push([Number(r.id), { first: Number(r.first), last: Number(r.last) }]);
        else this.vectorCache.set(Number(r.sentence), fromVectorSend(r.embedding));
      }
      return loaded;
    });
    return ids.map((id) => {
      const span = spans.get(id);
      if (!span) throw new Error(`chunk ${id} is not in build ${this.version}`);
      return span;
    });
  }

  /** Are the vectors of every sentence of the span kept? */
  private keepsVectorsOf({ first, last }: ChunkSpan): boolean {
    for (let id = first; id <= last; id++) if (!this.vectorCache.has(id)) return false;
    return true;
  }

  /**
   * The stored vectors of the given sentences: those read before from
   * memory, the others in one query, in pgvector's binary form (the same
   * float32s, with nothing printed or parsed).
   */
  private vectorsOf(ids: readonly number[]): Promise<Map<number, Float32Array>> {
    return readThrough(this.vectorCache, ids, async (missing) => {
      const rows = await this.query<{ id: string; embedding: string }>(
        `SELECT id, ${vectorOut('embedding')} AS embedding FROM sentences WHERE id = ANY($2::bigint[]) AND ${VISIBLE}`,
        [this.build, missing],
      );
      return rows.map((r) => [Number(r.id), fromVectorSend(r.embedding)]);
    });
  }

  async sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): Promise<number[]> {
    const vectors = await this.vectorsOf(sentenceIds);
    return sentenceIds.map((id) => {
      const v = vectors.get(id);
      return v ? dot(vector, v) : Number.NaN;
    });
  }

  async rankBySimilarity(vector: Float32Array, groups: readonly (readonly number[])[]): Promise<number[][]> {
    const vectors = await this.vectorsOf(groups.flat());
    const similarity = new Map<number, number>();
    for (const [id, v] of vectors) similarity.set(id, dot(vector, v));
    // Array.prototype.sort is stable: equal similarities keep the order given.
    return groups.map((group) =>
      [...group].sort(
        (a, b) => (similarity.get(b) ?? Number.NEGATIVE_INFINITY) - (similarity.get(a) ?? Number.NEGATIVE_INFINITY),
      ),
    );
  }

  async termsIn(groups: readonly (readonly number[])[], terms: readonly string[]): Promise<Set<string>[]> {
    const ids = [...new Set(groups.flat())];
    if (ids.length === 0 || terms.length === 0) return groups.map(() => new Set());
    const cached = this.cachedSentencePostings(terms);
    if (cached) {
      this.cached.termsIn++;
      return groups.map((group) => {
        const held = new Set<string>();
        for (const id of group)
          for (const [term, list] of cached) if (!held.has(term) && holds(list.ids, id)) held.add(term);
        return held;
      });
    }
    const rows = await this.query<{ passage: string; term: string }>(
      `SELECT passage, term FROM postings
        WHERE kind = $2 AND passage = ANY($3::bigint[]) AND term = ANY($4::text[]) AND ${VISIBLE}`,
      [this.build, KIND.sentence, ids, [...new Set(terms)]],
    );
    const held = new Map<number, string[]>();
    for (const r of rows) {
      const id = Number(r.passage);
      held.set(id, [...(held.get(id) ?? []), r.term]);
    }
    return groups.map((group) => new Set(group.flatMap((id) => held.get(id) ?? [])));
  }

  /**
   * The sentences' postings of each of the terms, when every one is known
   * from memory (held by none, by the term statistics; or its postings in
   * the cache); else undefined.
   */
  private cachedSentencePostings(terms: readonly string[]): Map<string, PostingList> | undefined {
    const lists = new Map<string, PostingList>();
    for (const term of new Set(terms)) {
      const stats = this.termStats.sentence.get(term);
      if (stats === undefined) return undefined;
      if (stats.documents === 0) continue;
      const list = this.postings.get(this.build, 'sentence', term);
      if (!list) return undefined;
      lists.set(term, list);
    }
    return lists;
  }

  /**
   * A question's terms' document frequencies among sentences (the answer's
   * term weights, asked with its searches): the same query brings both
   * kinds' statistics and postings of those terms (loadTermStats), and the
   * lexical searches wait for it rather than sending queries of their own.
   */
  async documentFrequencies(terms: readonly string[]): Promise<number[]> {
    return (await this.loadTermStats(['sentence', 'chunk'], terms)).sentence.map((s) => s.documents);
  }

  /** The sentences: those read before (by windows, mostly) from memory, the others in one query. */
  async sentences(ids: readonly number[]): Promise<(IndexedSentence | undefined)[]> {
    const sentences = await readThrough(this.sentenceCache, ids, async (missing) => {
      const rows = await this.query<SentenceRow>(
        `SELECT s.id, a.id AS article_id, s.position, s.text FROM sentences s JOIN articles a ON a.key = s.article_key
          WHERE s.id = ANY($2::bigint[]) AND ${visible('s')}`,
        [this.build, missing],
      );
      return rows.map((r) => [Number(r.id), toSentence(r)]);
    });
    return ids.map((id) => sentences.get(id));
  }

  /**
   * The windows, in one query that also brings (into the caches) their
   * articles' sources, the sentences either side of a window that cross
   * into another article, and the vectors of the centers not kept yet: the
   * rerank's titles and similarities, and the quotes' sentences and
   * sources, a question asks next.
   */
  async windows(ids: readonly number[], radius: number): Promise<IndexedSentence[][]> {
    if (ids.length === 0) return [];
    const centers = [...new Set(ids)];
    const rows = await this.query<
      SentenceRow & ArticleRow & { center: string; same: boolean; embedding: string | null }
    >(
      // The window's sentences by their ids (as in chunks: a join on a range of ids scans every sentence).
      `WITH c AS MATERIALIZED (
         SELECT id, article_key, CASE WHEN id = ANY($4::bigint[]) THEN ${vectorOut('embedding')} END AS embedding
           FROM sentences WHERE id = ANY($2::bigint[]) AND ${VISIBLE}),
       w AS (
         SELECT s.id, s.article_key, s.position, s.text, a.id AS article_id, a.title, a.outlet, a.date, a.url
           FROM sentences s JOIN articles a ON a.key = s.article_key
          WHERE s.id = ANY(ARRAY(SELECT generate_series(id - $3, id + $3) FROM c)) AND ${visible('s')})
       SELECT c.id AS center, w.id, w.article_id, w.position, w.text, w.title, w.outlet, w.date, w.url,
              w.article_key = c.article_key AS same, CASE WHEN w.id = c.id THEN c.embedding END AS embedding
         FROM c JOIN w ON w.id BETWEEN c.id - $3 AND c.id + $3
        ORDER BY c.id, w.id`,
      [this.build, centers, Math.max(1, radius), centers.filter((id) => !this.vectorCache.has(id))],
    );
    const byCenter = new Map<number, IndexedSentence[]>();
    for (const r of rows) {
      const sentence = toSentence(r);
      this.sentenceCache.set(sentence.id, sentence);
      this.articleCache.set(r.article_id, toMeta({ ...r, id: r.article_id }));
      if (r.embedding) this.vectorCache.set(sentence.id, fromVectorSend(r.embedding));
      const center = Number(r.center);
      if (!r.same || Math.abs(sentence.id - center) > radius) continue;
      byCenter.set(center, [...(byCenter.get(center) ?? []), sentence]);
    }
    return ids.map((id) => byCenter.get(id) ?? []);
  }

  /** Articles' sources: those read before (by windows, mostly) from memory, the others in one query. */
  async articleMetas(ids: readonly string[]): Promise<(ArticleMeta | undefined)[]> {
    const metas = await readThrough(this.articleCache, ids, async (missing) => {
      const rows = await this.query<ArticleRow>(
        `SELECT id, title, outlet, date, url FROM articles WHERE id = ANY($2::text[]) AND ${VISIBLE}`,
        [this.build, missing],
      );
      return rows.map((r) => [r.id, toMeta(r)]);
    });
    return ids.map((id) => metas.get(id));
  }

  async article(id: string): Promise<IndexedArticle | undefined> {
    const rows = await this.query<ArticleRow & { sentences: string[] | null }>(
      `SELECT a.id, a.title, a.outlet, a.date, a.url,
              (SELECT array_agg(s.text ORDER BY s.position) FROM sentences s WHERE s.article_key = a.key) AS sentences
         FROM articles a WHERE a.id = $2 AND ${visible('a')}`,
      [this.build, id],
    );
    return rows[0] && { ...toMeta(rows[0]), sentences: rows[0].sentences ?? [] };
  }

  async articles({
    offset,
    limit,
  }: {
    offset: number;
    limit: number;
  }): Promise<{ total: number; items: ArticleMeta[] }> {
    // Ordered as JavaScript orders strings (code units): "C" collation, byte order, is the same for our ids.
    const rows = await this.query<ArticleRow>(
      `SELECT id, title, outlet, date, url FROM articles WHERE ${VISIBLE} ORDER BY id COLLATE "C" OFFSET $2 LIMIT $3`,
      [this.build, Math.max(0, offset), Math.max(0, limit)],
    );
    return { total: this.row.articles, items: rows.map(toMeta) };
  }

  /** The pool belongs to the engine: closing an index only stops it answering. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** One dense search asked (denseSearch). */
interface DenseAsk {
  kind: PassageKind;
  vector: Float32Array;
  k: number;
}

/** `items` in groups of equal keys (compared with ===), in the order each group is first met. */
function groupBy<T>(items: readonly T[], ...keys: ((item: T) => unknown)[]): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const group = groups.find((g) => keys.every((key) => key(g[0]) === key(item)));
    if (group) group.push(item);
    else groups.push([item]);
  }
  return groups;
}

interface SentenceRow {
  id: string;
  article_id: string;
  position: number;
  text: string;
}

interface ArticleRow {
  id: string;
  title: string;
  outlet: string;
  date: string;
  url: string | null;
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: the same for the same text, in every connection and process. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `search_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Each id's value: from `cache`, or (the ids it lacks, each once) from one
 * call of `load`, then remembered. Values come back as found or loaded, so
 * a call for more ids than the cache keeps still answers every one.
 */
async function readThrough<K extends {}, V extends {}>(
  cache: LRUCache<K, V>,
  ids: readonly K[],
  load: (missing: K[]) => Promise<Iterable<readonly [K, V]>>,
): Promise<Map<K, V>> {
  const found = new Map<K, V>();
  const missing: K[] = [];
  for (const id of new Set(ids)) {
    const value = cache.get(id);
    if (value === undefined) missing.push(id);
    else found.set(id, value);
  }
  if (missing.length > 0)
    for (const [id, value] of await load(missing)) {
      cache.set(id, value);
      found.set(id, value);
    }
  return found;
}

/** Is `id` in `ids` (ascending)? */
function holds(ids: ArrayLike<number>, id: number): boolean {
  const at = seek(ids, 0, ids.length, id);
  return at < ids.length && ids[at] === id;
}

/**
 * A vector as pgvector's binary input (vector_recv) reads it, the form of
 * vector_send below: sent as a binary parameter (a Buffer), it is read as
 * the same float32s, with nothing printed or parsed.
 */
function toVectorRecv(vector: Float32Array): Buffer {
  const bytes = Buffer.alloc(4 + 4 * vector.length);
  bytes.writeInt16BE(vector.length, 0);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatBE(vector[i], 4 + 4 * i);
  return bytes;
}

/** A vector as pgvector's binary output (vector_send) gives it, in base64: dimensions (int16), unused (int16), float4s, big-endian. */
function fromVectorSend(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimensions = view.getInt16(0);
  const vector = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) vector[i] = view.getFloat32(4 + 4 * i);
  return vector;
}

function toSentence(r: SentenceRow): IndexedSentence {
  return { id: Number(r.id), articleId: r.article_id, position: r.position, text: r.text };
}

function toMeta(r: ArticleRow): ArticleMeta {
  return { id: r.id, title: r.title, outlet: r.outlet, date: r.date, ...(r.url ? { url: r.url } : {}) };
}

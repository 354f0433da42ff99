import { readFile, writeFile } from 'node:fs/promises';
import {
  analyser,
  BM25,
  type CollectionStats,
  inverseDocumentFrequency,
  lengthNorm,
  queryTerms,
  runningAverage,
  seek,
  termScore,
} from '../bm25.js';

/** A BM25 hit: the document's id and its score. */
export interface LexicalHit {
  id: number;
  score: number;
}

/** A hit with what orders it among equal scores: the first query term it holds, then its position. */
interface RankedHit extends LexicalHit {
  first: number;
  position: number;
}

const MAGIC = 'LEX1';

/**
 * BM25 search over numbered texts, Arabic-normalized and lightly stemmed,
 * scored and ranked exactly as MiniSearch (OR of the query's terms, BM25+,
 * score times the number of distinct query terms matched, ties in document
 * order) but held in a few flat arrays: an index of 900,000 passages loads
 * in a fraction of a second from one file, where MiniSearch's JSON took
 * about as many seconds per 100,000 and several times the memory.
 *
 * Documents are kept in the order they were given (the build gives article
 * order), so an index updated in place equals one built from scratch.
 */
export class LexicalIndex {
  private readonly termIndex = new Map<string, number>();
  /** Scratch space for one search: scores and matched-term counts per document, reset after use. */
  private scores?: Float64Array;
  private quality?: Uint32Array;
  /** Per document, the length part of BM25 (computed at the first search), and the average length it was computed for. */
  private norms?: Float64Array;
  private normsFor = Number.NaN;

  private constructor(
    private readonly terms: string[],
    /** Document ids (labels), in document order. */
    private readonly ids: Uint32Array,
    /** Each document's length (distinct tokens). */
    private readonly lengths: Uint32Array,
    private readonly avgLength: number,
    /** Postings of term t: offsets[t] … offsets[t + 1] in docs (document positions, ascending) and freqs. */
    private readonly offsets: Uint32Array,
    private readonly docs: Uint32Array,
    private readonly freqs: Uint32Array,
  ) {
    for (const [i, term] of terms.entries()) this.termIndex.set(term, i);
  }

  /** Indexes `texts`, in order; text i gets id `ids[i]` (default: i). */
  static build(texts: string[], ids?: number[]): LexicalIndex {
    const labels = ids ?? texts.map((_, i) => i);
    return LexicalIndex.empty().update({ removed: [], added: { texts, ids: labels }, order: labels });
  }

  static empty(): LexicalIndex {
    const none = new Uint32Array(0);
    return new LexicalIndex([], none, none, 0, Uint32Array.of(0), none, none);
  }

  /**
   * A new index without the `removed` documents and with the `added` ones,
   * its documents in `order` (every id of the new index). The same documents
   * in the same order give the same index, however they came in.
   */
  update(change: {
    removed: readonly number[];
    added: { texts: string[]; ids: number[] };
    order: readonly number[];
  }): LexicalIndex {
    const { order, added } = change;
    const maxId = order.reduce((m, id) => Math.max(m, id), -1);
    // Position of each id in the new index (-1: not in it).
    const position = new Int32Array(Math.max(maxId + 1, 0)).fill(-1);
    for (const [p, id] of order.entries()) position[id] = p;
    const removed = new Set(change.removed);

    // Where each of this index's documents goes in the new one (-1: removed).
    const moved = new Int32Array(this.ids.length);
    const lengths = new Uint32Array(order.length);
    const kept = new Uint8Array(order.length);
    for (let d = 0; d < this.ids.length; d++) {
      const id = this.ids[d];
      const p = removed.has(id) || id > maxId ? -1 : position[id];
      moved[d] = p;
      if (p < 0) continue;
      lengths[p] = this.lengths[d];
      kept[p] = 1;
    }
    // The added documents' postings, by term, in the new positions.
    const analyse = analyser();
    const fresh = new Map<string, { docs: number[]; freqs: number[] }>();
    let freshPostings = 0;
    const addedPositions = added.ids.map((id) => (id > maxId ? -1 : position[id]));
    const byPosition = added.texts.map((_, i) => i).sort((a, b) => addedPositions[a] - addedPositions[b]);
    for (const i of byPosition) {
      const p = addedPositions[i];
      if (p < 0 || kept[p]) throw new Error(`LexicalIndex.update: id ${added.ids[i]} is not in the order, or twice`);
      const doc = analyse(added.texts[i]);
      lengths[p] = doc.length;
      kept[p] = 1;
      for (const [term, freq] of doc.terms) {
        let postings = fresh.get(term);
        if (!postings) {
          postings = { docs: [], freqs: [] };
          fresh.set(term, postings);
        }
        postings.docs.push(p);
        postings.freqs.push(freq);
        freshPostings++;
      }
    }
    const missing = kept.indexOf(0);
    if (missing >= 0) throw new Error(`LexicalIndex.update: no text for id ${order[missing]}`);

    // Merge each term's surviving postings (moved to their new positions, still ascending) with the fresh ones.
    const terms: string[] = [];
    const offsets: number[] = [0];
    const docs = new Uint32Array(this.docs.length + freshPostings);
    const freqs = new Uint32Array(docs.length);
    let n = 0;
    const merge = (term: string, start: number, end: number) => {
      const extra = fresh.get(term);
      let j = 0;
      for (let i = start; i < end; i++) {
        const p = moved[this.docs[i]];
        if (p < 0) continue;
        while (extra && j < extra.docs.length && extra.docs[j] < p) {
          docs[n] = extra.docs[j];
          freqs[n++] = extra.freqs[j++];
        }
        docs[n] = p;
        freqs[n++] = this.freqs[i];
      }
      while (extra && j < extra.docs.length) {
        docs[n] = extra.docs[j];
        freqs[n++] = extra.freqs[j++];
      }
      if (n > offsets[offsets.length - 1]) {
        terms.push(term);
        offsets.push(n);
      }
    };
    for (const [t, term] of this.terms.entries()) merge(term, this.offsets[t], this.offsets[t + 1]);
    for (const term of fresh.keys()) if (!this.termIndex.has(term)) merge(term, 0, 0);

    return new LexicalIndex(
      terms,
      Uint32Array.from(order),
      lengths,
      runningAverage(lengths),
      Uint32Array.from(offsets),
      docs.slice(0, n),
      freqs.slice(0, n),
    );
  }

  /** The index as one file's bytes: a JSON header (counts, terms), then the arrays. */
  toBytes(): Uint8Array {
    const header = Buffer.from(
      JSON.stringify({
        documents: this.ids.length,
        avgLength: this.avgLength,
        postings: this.docs.length,
        terms: this.terms,
      }),
    );
    const headerEnd = align4(8 + header.length);
    const arrays = [this.ids, this.lengths, this.offsets, this.docs, this.freqs];
    const bytes = new Uint8Array(headerEnd + arrays.reduce((n, a) => n + a.byteLength, 0));
    bytes.set(Buffer.from(MAGIC), 0);
    new DataView(bytes.buffer).setUint32(4, header.length, true);
    bytes.set(header, 8);
    let at = headerEnd;
    for (const a of arrays) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    return bytes;
  }

  static fromBytes(bytes: Uint8Array): LexicalIndex {
    if (Buffer.from(bytes.subarray(0, 4)).toString() !== MAGIC) throw new Error('not a lexical index file');
    // Views need 4-byte alignment: copy when the bytes start elsewhere (pooled Buffers).
    const data = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    const headerLength = new DataView(data.buffer, data.byteOffset).getUint32(4, true);
    const header = JSON.parse(Buffer.from(data.subarray(8, 8 + headerLength)).toString()) as {
      documents: number;
      avgLength: number;
      postings: number;
      terms: string[];
    };
    let at = data.byteOffset + align4(8 + headerLength);
    const next = (length: number) => {
      const view = new Uint32Array(data.buffer, at, length);
      at += length * 4;
      return view;
    };
    const ids = next(header.documents);
    const lengths = next(header.documents);
    const offsets = next(header.terms.length + 1);
    return new LexicalIndex(
      header.terms,
      ids,
      lengths,
      header.avgLength,
      offsets,
      next(header.postings),
      next(header.postings),
    );
  }

  async write(file: string): Promise<void> {
    await writeFile(file, this.toBytes());
  }

  static async read(file: string): Promise<LexicalIndex> {
    return LexicalIndex.fromBytes(await readFile(file));
  }

  /**
   * The best `k` documents for `query`, best first: exactly MiniSearch's
   * hits, scores and order (see searchAll), found without scoring every
   * posting (see rank).
   */
  search(query: string, k: number): LexicalHit[] {
    return this.rank(queryTerms(query), k, this.stats()).map(({ id, score }) => ({ id, score }));
  }

  /**
   * The best `k` documents across several indexes (the parts of one build),
   * scored as one index holding all their documents, in that order, would
   * score them: BM25's document count, frequencies and average length are
   * the collection's, not each part's. `stats`: collectionStats(parts),
   * computed once by a caller that searches the same parts again (it goes
   * over every document's length).
   */
  static searchParts(
    parts: readonly LexicalIndex[],
    query: string,
    k: number,
    stats?: CollectionStats,
    /** How equal hits of two parts are ordered (default: the earlier part's first); within a part, by position. */
    across?: (a: { p: number; position: number }, b: { p: number; position: number }) => number,
  ): LexicalHit[] {
    if (parts.length === 1) return parts[0].search(query, k);
    const terms = queryTerms(query);
    const collection = stats ?? LexicalIndex.collectionStats(parts);
    const tie = across ?? ((a, b) => a.p - b.p || a.position - b.position);
    return parts
      .flatMap((part, p) => part.rank(terms, k, collection).map((hit) => ({ ...hit, p })))
      .sort((a, b) => b.score - a.score || a.first - b.first || tie(a, b))
      .slice(0, k)
      .map(({ id, score }) => ({ id, score }));
  }

  /** Each document's length part of BM25 for an average length (kept for the last average asked). */
  private normsOf(avgLength: number): Float64Array {
    if (!this.norms || this.normsFor !== avgLength) {
      this.norms = Float64Array.from(this.lengths, (length) => lengthNorm(length, avgLength));
      this.normsFor = avgLength;
    }
    return this.norms;
  }

  /** This index's own statistics, as a collection. */
  private stats(): CollectionStats {
    return { documents: this.ids.length, avgLength: this.avgLength, frequency: (t) => this.documentFrequency(t) };
  }

  /**
   * The statistics of the parts taken as one collection (the average as MiniSearch keeps it, document after
   * document). `order`: the documents' places in the parts put end to end, in the order the average goes
   * through them (default: the parts' order).
   */
  static collectionStats(parts: readonly LexicalIndex[], order?: Iterable<number>): CollectionStats {
    let documents = 0;
    let avgLength = 0;
    const add = (length: number) => {
      avgLength = (avgLength * documents + length) / (documents + 1);
      documents++;
    };
    if (order) {
      const lengths = parts.flatMap((part) => [...part.lengths]);
      for (const at of order) add(lengths[at]);
    } else for (const part of parts) for (const length of part.lengths) add(length);
    return {
      documents,
      avgLength,
      frequency: (term) => parts.reduce((sum, part) => sum + part.documentFrequency(term), 0),
    };
  }

  /**
   * The best `k` documents for analysed query terms (in order, repeats
   * kept), scored against `stats`, with what orders equal scores: the first
   * query term a document holds, then its position. Documents are visited in
   * order (MaxScore): a query term whose highest possible contribution, with
   * those of the weaker terms, cannot lift a document above the k-th best so
   * far stops bringing in documents, and is only looked up for the documents
   * the other terms bring in. On common words this skips most postings.
   */
  private rank(queryTerms: readonly string[], k: number, stats: CollectionStats): RankedHit[] {
    if (k <= 0) return [];
    // The query's terms this index holds, at their places in the query.
    const occurrences: { t: number; at: number }[] = [];
    for (const [at, term] of queryTerms.entries()) {
      const t = this.termIndex.get(term);
      if (t !== undefined) occurrences.push({ t, at });
    }
    if (occurrences.length === 0) return [];
    const norms = this.normsOf(stats.avgLength);
    const { docs, freqs } = this;

    // The distinct terms, with their first place in the query and how often they occur in it.
    const distinct = new Map<number, { first: number; count: number }>();
    for (const { t, at } of occurrences) {
      const entry = distinct.get(t);
      if (entry) entry.count++;
      else distinct.set(t, { first: at, count: 1 });
    }
    const terms = [...distinct].map(([t, { first, count }]) => {
      const start = this.offsets[t];
      const end = this.offsets[t + 1];
      const idf = inverseDocumentFrequency(stats.frequency(this.terms[t]), stats.documents);
      // bm25() is below idf * (d + k + 1) whatever the frequency and length.
      return { t, first, count, start, end, idf, cursor: start, bound: count * idf * (BM25.d + BM25.k + 1) };
    });
    // Weakest first: the first `weak` terms alone cannot beat the k-th score.
    terms.sort((a, b) => a.bound - b.bound);
    const upTo = terms.map((_, i) => terms.slice(0, i + 1).reduce((sum, term) => sum + term.bound, 0));
    let weak = 0;
    const best: { d: number; score: number; first: number }[] = [];
    const worse = (a: { score: number; first: number; d: number }, b: { score: number; first: number; d: number }) =>
      a.score < b.score || (a.score === b.score && (a.first > b.first || (a.first === b.first && a.d > b.d)));
    const tf = new Float64Array(terms.length);
    // Each occurrence's place in `terms`.
    const place = occurrences.map(({ t }) => terms.findIndex((term) => term.t === t));

    for (;;) {
      // The next document any strong term holds.
      let d = Number.POSITIVE_INFINITY;
      for (let i = weak; i < terms.length; i++) {
        const term = terms[i];
        if (term.cursor < term.end && docs[term.cursor] < d) d = docs[term.cursor];
      }
      if (d === Number.POSITIVE_INFINITY) break;
      // Its frequency in every term (the weak ones looked up), and where MiniSearch first met it.
      let matched = 0;
      let first = Number.POSITIVE_INFINITY;
      for (const [i, term] of terms.entries()) {
        tf[i] = 0;
        if (i >= weak) {
          if (term.cursor < term.end && docs[term.cursor] === d) tf[i] = freqs[term.cursor++];
        } else {
          term.cursor = seek(docs, term.cursor, term.end, d);
          if (term.cursor < term.end && docs[term.cursor] === d) tf[i] = freqs[term.cursor];
        }
        if (tf[i] > 0) {
          matched++;
          if (term.first < first) first = term.first;
        }
      }
      // The sum in the query's order, as MiniSearch adds it up (the same bits).
      let sum = 0;
      let started = false;
      for (const i of place) {
        if (tf[i] === 0) continue;
        const score = termScore(terms[i].idf, tf[i], norms[d]);
        sum = started ? sum + score : score;
        started = true;
      }
      const score = sum * matched;
      if (best.length === k) {
        const last = best[k - 1];
        const better =
          score > last.score || (score === last.score && (first < last.first || (first === last.first && d < last.d)));
        if (!better) continue;
        best[k - 1] = { d, score, first };
      } else best.push({ d, score, first });
      // Keep the list ordered (best first); k is small.
      for (let at = best.length - 1; at > 0 && worse(best[at - 1], best[at]); at--) {
        [best[at - 1], best[at]] = [best[at], best[at - 1]];
      }
      if (best.length === k) {
        const threshold = best[k - 1].score;
        while (weak < terms.length && upTo[weak] * (weak + 1) < threshold) weak++;
      }
    }
    return best.map(({ d, score, first }) => ({ id: this.ids[d], score, first, position: d }));
  }

  /**
   * Every document holding a term of `query`, scored, in MiniSearch's order:
   * by score, then in the order MiniSearch first meets them. The reference
   * that `search` must equal; scores every posting.
   */
  searchAll(query: string): LexicalHit[] {
    const n = this.ids.length;
    this.scores ??= new Float64Array(n);
    this.quality ??= new Uint32Array(n);
    const norms = this.normsOf(this.avgLength);
    const { scores, quality, docs, freqs, offsets } = this;
    // Documents in the order MiniSearch first meets them: its results are sorted stably from that order.
    const touched: number[] = [];
    const seen = new Set<string>();
    for (const term of queryTerms(query)) {
      const t = this.termIndex.get(term);
      const first = !seen.has(term);
      seen.add(term);
      if (t === undefined) continue;
      const start = offsets[t];
      const end = offsets[t + 1];
      const idf = inverseDocumentFrequency(end - start, n);
      for (let i = start; i < end; i++) {
        const d = docs[i];
        const score = termScore(idf, freqs[i], norms[d]);
        if (quality[d] === 0) {
          touched.push(d);
          scores[d] = score;
        } else scores[d] = scores[d] + score;
        if (first) quality[d]++;
      }
    }
    // By score, earlier documents first among equals (a stable sort's order).
    const best: { d: number; score: number }[] = [];
    for (const d of touched) {
      const score = scores[d] * quality[d];
      scores[d] = 0;
      quality[d] = 0;
      let at = best.length;
      while (at > 0 && score > best[at - 1].score) at--;
      best.splice(at, 0, { d, score });
    }
    return best.map(({ d, score }) => ({ id: this.ids[d], score }));
  }

  /**
   * Does document `id` hold an already analysed term (see contentTerms)? A
   * search in the term's postings: what a reranker asks of a few sentences,
   * answered without analysing their texts again.
   */
  holds(id: number, term: string): boolean {
    const t = this.termIndex.get(term);
    const d = this.positionOf(id);
    if (t === undefined || d < 0) return false;
    const end = this.offsets[t + 1];
    const at = seek(this.docs, this.offsets[t], end, d);
    return at < end && this.docs[at] === d;
  }

  /** Each id's document position (-1: none), built at the first `holds`. */
  private positions?: Int32Array;

  private positionOf(id: number): number {
    if (!this.positions) {
      const positions = new Int32Array(this.ids.reduce((max, i) => Math.max(max, i), -1) + 1).fill(-1);
      for (const [d, i] of this.ids.entries()) positions[i] = d;
      this.positions = positions;
    }
    return id < this.positions.length ? this.positions[id] : -1;
  }

  /** How many documents hold an already analysed term (see contentTerms): for IDF weights. */
  documentFrequency(term: string): number {
    const t = this.termIndex.get(term);
    return t === undefined ? 0 : this.offsets[t + 1] - this.offsets[t];
  }

  get size(): number {
    return this.ids.length;
  }
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

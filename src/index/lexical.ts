import MiniSearch from 'minisearch';
import { contentTerms } from '../arabic/tokens.js';

/** A BM25 hit: the document's id and its score. */
export interface LexicalHit {
  id: number;
  score: number;
}

// The shared Arabic analysis (see analyze): the terms BM25 indexes and
// searches are the ones coverage and quotes count.
const ANALYSIS = { tokenize: (text: string) => contentTerms(text), processTerm: (term: string) => term };

const OPTIONS = { fields: ['text'], storeFields: [], ...ANALYSIS };

/** BM25 search (MiniSearch) over numbered texts, Arabic-normalized and lightly stemmed. */
export class LexicalIndex {
  private readonly frequencies = new Map<string, number>();

  private constructor(private readonly search_: MiniSearch) {}

  /** Indexes `texts`; text i gets id `ids[i]` (default: i). */
  static build(texts: string[], ids?: number[]): LexicalIndex {
    const index = new LexicalIndex(new MiniSearch(OPTIONS));
    index.add(texts, ids ?? texts.map((_, i) => i));
    return index;
  }

  add(texts: string[], ids: number[]): void {
    this.search_.addAll(texts.map((text, i) => ({ id: ids[i], text })));
    this.frequencies.clear();
  }

  /** Removes documents: they are never returned again. */
  remove(ids: number[]): void {
    this.search_.discardAll(ids);
    this.frequencies.clear();
  }

  static fromJSON(json: string): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON(json, OPTIONS));
  }

  toJSON(): string {
    return JSON.stringify(this.search_);
  }

  /** The best `k` documents for `query`, best first. */
  search(query: string, k: number): LexicalHit[] {
    return this.search_
      .search(query, { combineWith: 'OR' })
      .slice(0, k)
      .map((r) => ({ id: r.id as number, score: r.score }));
  }

  /** How many documents hold an already analysed term (see analyze): for IDF weights. */
  documentFrequency(term: string): number {
    const cached = this.frequencies.get(term);
    if (cached !== undefined) return cached;
    const df = this.search_.search(term, { tokenize: (t) => [t], processTerm: (t) => t }).length;
    this.frequencies.set(term, df);
    return df;
  }

  get size(): number {
    return this.search_.documentCount;
  }
}

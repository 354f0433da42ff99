import { LRUCache } from 'lru-cache';
import type { PostingList } from '../bm25.js';
import type { PassageKind } from '../search-index.js';

/** POSTINGS_CACHE_MB's default: what a replica keeps of the terms its questions read (see PostingsCache). */
export const DEFAULT_POSTINGS_CACHE_MB = 64;

/** A posting as kept (CachedPostings' three arrays). */
export const BYTES_PER_POSTING = 16;

/** A term's postings as kept: 16 bytes a posting (ids as doubles: bigint ids past 2^32 stay exact). */
export interface CachedPostings extends PostingList {
  ids: Float64Array;
  tfs: Uint32Array;
  lengths: Uint32Array;
}

/** What an entry costs besides its arrays: the key, the object and the arrays' headers, the cache's own node (measured: see the tests). */
export const ENTRY_OVERHEAD_BYTES = 400;

/** The most characters an entry's key holds besides its term (keyOf: the build's id, the kind, two separators). */
export const KEY_PREFIX_CHARS = 32;

/**
 * The BM25 postings of the terms a replica's questions asked, whole, per
 * build and kind of passage: a question whose terms are all here is scored
 * in the process (bm25.ts, rankPostings) with no query at all. A build's
 * postings never change, so an entry is never stale; entries are keyed by
 * build, so a replica that switches builds never mixes two, and opening a
 * newer build drops the older builds' entries (dropOtherBuilds).
 *
 * Bounded by bytes (least recently used out first): at most `maxBytes` of
 * arrays and entries, whatever the archive's size. A cache, not an index: a
 * fresh process starts empty and answers from the database, and holds only
 * what its questions touched.
 */
export class PostingsCache {
  private readonly lru?: LRUCache<string, CachedPostings>;

  constructor(readonly maxBytes: number) {
    if (maxBytes > 0)
      this.lru = new LRUCache({ maxSize: maxBytes, sizeCalculation: (value, key) => entryBytes(key, value) });
  }

  /** Does it keep anything at all (a size of 0 turns it off)? */
  get enabled(): boolean {
    return this.lru !== undefined;
  }

  /** Bytes held now (never more than maxBytes). */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  has(build: number, kind: PassageKind, term: string): boolean {
    return this.lru?.has(keyOf(build, kind, term)) ?? false;
  }

  get(build: number, kind: PassageKind, term: string): CachedPostings | undefined {
    return this.lru?.get(keyOf(build, kind, term));
  }

  /** Keeps a term's postings (not when they alone are larger than the cache). */
  set(build: number, kind: PassageKind, term: string, postings: CachedPostings): void {
    this.lru?.set(keyOf(build, kind, term), postings);
  }

  /** Lets go of every build's entries but this one's (a replica switched to it). */
  dropOtherBuilds(build: number): void {
    for (const key of this.keys()) if (partsOf(key).build !== build) this.lru?.delete(key);
  }

  /** Keeps a term's postings of build `from` as build `to`'s (the same postings: see PostgresIndex.carryOver), counted once. */
  move(from: number, to: number, kind: PassageKind, term: string): boolean {
    const postings = this.lru?.peek(keyOf(from, kind, term));
    if (!postings) return false;
    this.lru?.delete(keyOf(from, kind, term));
    this.lru?.set(keyOf(to, kind, term), postings);
    return true;
  }

  /** The kinds and terms kept of a build. */
  entriesOf(build: number): { kind: PassageKind; term: string }[] {
    return this.keys()
      .map(partsOf)
      .filter((entry) => entry.build === build);
  }

  /** The builds with entries here. */
  builds(): Set<number> {
    return new Set(this.keys().map((key) => partsOf(key).build));
  }

  /** Every entry's key, taken at once (the callers delete while they go). */
  private keys(): string[] {
    return [...(this.lru?.keys() ?? [])];
  }
}

function keyOf(build: number, kind: PassageKind, term: string): string {
  return `${build}\u0000${kind}\u0000${term}`;
}

/** keyOf's parts. */
function partsOf(key: string): { build: number; kind: PassageKind; term: string } {
  const [build, kind, term] = key.split('\u0000');
  return { build: Number(build), kind: kind as PassageKind, term };
}

/** An entry's bytes: its arrays, its key (UTF-16) and a fixed overhead. */
export function entryBytes(key: string, value: CachedPostings): number {
  return value.ids.byteLength + value.tfs.byteLength + value.lengths.byteLength + 2 * key.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * A term's postings as the database sends them (postings query in
 * postgres-index.ts): per posting, in passage order, int8 passage, int4 tf,
 * int4 length, big-endian.
 */
export function decodePostings(bytes: Buffer): CachedPostings {
  const n = Math.floor(bytes.byteLength / 16);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids = new Float64Array(n);
  const tfs = new Uint32Array(n);
  const lengths = new Uint32Array(n);
  for (let i = 0, at = 0; i < n; i++, at += 16) {
    ids[i] = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
    tfs[i] = view.getInt32(at + 8);
    lengths[i] = view.getInt32(at + 12);
  }
  return { ids, tfs, lengths };
}

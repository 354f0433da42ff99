import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArticleMeta } from '../corpus/article.js';
import { UserError } from '../errors.js';
import { HnswIndex } from './hnsw.js';
import { type CollectionStats, LexicalIndex } from './lexical.js';
import { currentBuildDir, listBuilds, requireCurrentBuildDir } from './location.js';
import type {
  ChunkSpan,
  IndexedArticle,
  IndexedSentence,
  PassageHit,
  PassageKind,
  SearchIndex,
} from './search-index.js';
import {
  FILES,
  FORMAT_VERSION,
  type Manifest,
  type PartName,
  partFile,
  partsOf,
  readJson,
  type StoredArticle,
  VectorFile,
} from './store.js';
import { dot } from './vector-index.js';
import { IndexDamagedError, verifyBuild } from './verify.js';

/** The build was written by another version of this program. */
export class IndexFormatError extends UserError {
  override readonly name = 'IndexFormatError';

  constructor(
    readonly dir: string,
    readonly found: number,
    readonly expected: number,
  ) {
    super(`The index in ${dir} has format ${found}; this version reads ${expected}. Rebuild it with: npm run index`);
  }
}

/** One kind of passage in one part of a build: its BM25 index, and its labels mapped to ids. */
interface PassageSearch {
  lexical: LexicalIndex;
  idByLabel: Map<number, number>;
}

/**
 * One part of a build, loaded: its articles and BM25 indexes. Ids are the
 * whole build's (the base's come first), so a base part is the same in every
 * build that shares its files, and the next build that hard-links them takes
 * it over as it is.
 */
interface LoadedPart {
  /** Which files it was read from: device and inode of each (a hard link has its original's). */
  identity: string;
  stored: StoredArticle[];
  sentences: IndexedSentence[];
  chunks: ChunkSpan[];
  search: Record<PassageKind, PassageSearch>;
}

/** The files of a part that its loaded form is made of. */
const LOADED_FILES = [FILES.articles, FILES.sentenceLexical, FILES.chunkLexical];

async function identityOf(dir: string, part: PartName): Promise<string> {
  const stats = await Promise.all(LOADED_FILES.map((f) => stat(join(dir, partFile(part, f)))));
  return stats.map((s) => `${s.dev}:${s.ino}:${s.size}`).join(',');
}

/** Reads a part's articles and BM25 indexes; its first sentence and chunk have ids `first`. */
async function loadPart(
  dir: string,
  name: PartName,
  first: { sentence: number; chunk: number },
  identity = identityOf(dir, name),
): Promise<LoadedPart> {
  const path = (file: string) => join(dir, partFile(name, file));
  const lexical = Promise.all([
    LexicalIndex.read(path(FILES.sentenceLexical)),
    LexicalIndex.read(path(FILES.chunkLexical)),
  ]);
  // Awaited below; marked handled now, so that their failure while the articles are read is not an unhandled rejection.
  for (const pending of [identity, lexical]) pending.catch(() => undefined);
  const file = partFile(name, FILES.articles);
  const stored = await readJson<StoredArticle[]>(dir, file).catch(() => {
    throw new IndexDamagedError(dir, file, 'cannot be read');
  });
  const sentences: IndexedSentence[] = [];
  const chunks: ChunkSpan[] = [];
  const sentenceLabels = new Map<number, number>();
  const chunkLabels = new Map<number, number>();
  for (const article of stored) {
    const base = first.sentence + sentences.length;
    article.sentences.forEach((s, position) => {
      sentenceLabels.set(article.labels.sentences[position], base + position);
      sentences.push({ id: base + position, articleId: article.id, position, text: s.text });
    });
    article.chunks.forEach((c, i) => {
      chunkLabels.set(article.labels.chunks[i], first.chunk + chunks.length);
      chunks.push({ first: base + c.first, last: base + c.last });
    });
  }
  const [sentenceLexical, chunkLexical] = await lexical;
  return {
    identity: await identity,
    stored,
    sentences,
    chunks,
    search: {
      sentence: { lexical: sentenceLexical, idByLabel: sentenceLabels },
      chunk: { lexical: chunkLexical, idByLabel: chunkLabels },
    },
  };
}

/** A part's sentence vector table, and the id of its first sentence. */
interface PartVectors {
  file: VectorFile;
  firstSentence: number;
}

/**
 * The index of one published build, held in memory: HNSW graphs
 * (hnswlib-node) and BM25 indexes (lexical.ts) for sentences and for chunks,
 * the sentences' texts, and the articles' sources. Each vector is held once,
 * in its graph: sentence similarities read the rows they need from the
 * build's sentence vector table on disk (the page cache keeps them).
 *
 * A build with a delta part is searched as one: the base's and the delta's
 * articles in one list (base first), one graph per kind holding both, and
 * BM25 scored with the statistics of both parts together, so a passage
 * scores as it would in one index of every article.
 */
export class LocalIndex implements SearchIndex {
  readonly version: string;
  readonly model: string;
  private readonly stored: StoredArticle[];
  private readonly sentences: IndexedSentence[];
  private readonly chunks: ChunkSpan[];
  private readonly byId: Map<string, StoredArticle>;
  /** Per kind: each part's BM25 index and label map, and the parts' statistics as one collection. */
  private readonly search: Record<
    PassageKind,
    { lexical: LexicalIndex[]; stats: CollectionStats; idByLabel: Map<number, number>[] }
  >;

  private constructor(
    /** The build's folder. */
    readonly dir: string,
    readonly manifest: Manifest,
    /** Base first, then the delta, if any. */
    private readonly parts: LoadedPart[],
    /** Each kind's graph: every part's passages, by label. */
    private readonly graphs: Record<PassageKind, HnswIndex>,
    /** The sentences' vectors, read from each part's table as questions need them. */
    private readonly vectors: PartVectors[],
  ) {
    this.version = basename(dir);
    this.model = manifest.model;
    this.stored = parts.flatMap((p) => p.stored);
    this.sentences = parts.flatMap((p) => p.sentences);
    this.chunks = parts.flatMap((p) => p.chunks);
    this.byId = new Map(this.stored.map((a) => [a.id, a]));
    const searchOf = (kind: PassageKind) => {
      const lexical = parts.map((p) => p.search[kind].lexical);
      const idByLabel = parts.map((p) => p.search[kind].idByLabel);
      return { lexical, stats: LexicalIndex.collectionStats(lexical), idByLabel };
    };
    this.search = { sentence: searchOf('sentence'), chunk: searchOf('chunk') };
  }

  /**
   * Opens a build folder, once it is checked (verifyBuild). With `reuse`,
   * an index whose base part has the same files (the new build hard-linked
   * them), that part is taken over instead of read again: only the delta and
   * the graphs are read.
   *
   * @throws IndexDamagedError, IndexFormatError
   */
  static async open(dir: string, { reuse }: { reuse?: LocalIndex } = {}): Promise<LocalIndex> {
    const manifest = await verifyBuild(
      dir,
      Object.values(FILES).filter((f) => f !== FILES.manifest),
    );
    if (manifest.formatVersion !== FORMAT_VERSION)
      throw new IndexFormatError(dir, manifest.formatVersion, FORMAT_VERSION);
    const { dimension, counts } = manifest;
    // The graphs load in libuv's threads while this one reads the rest.
    const graphs = Promise.all([
      HnswIndex.load(join(dir, FILES.sentenceHnsw), dimension, { size: counts.sentences }),
      HnswIndex.load(join(dir, FILES.chunkHnsw), dimension, { size: counts.chunks }),
    ]);
    graphs.catch(() => undefined); // awaited below (see loadPart)
    const [base, delta] = partsOf(manifest);
    const baseIdentity = identityOf(dir, 'base');
    const reused = reuse && (await baseIdentity) === reuse.parts[0].identity ? reuse.parts[0] : undefined;
    const parts = await Promise.all([
      reused ?? loadPart(dir, 'base', { sentence: 0, chunk: 0 }, baseIdentity),
      ...(delta ? [loadPart(dir, 'delta', { sentence: base.counts.sentences, chunk: base.counts.chunks })] : []),
    ]);
    const [sentenceGraph, chunkGraph] = await graphs;
    const vectors = [base, ...(delta ? [delta] : [])].map(({ name }, p) => ({
      file: new VectorFile(join(dir, partFile(name, FILES.sentenceVectors)), dimension),
      firstSentence: p === 0 ? 0 : base.counts.sentences,
    }));
    // Questions read sentence vectors from the tables: have their pages cached before they do
    // (a base taken over was prewarmed when it was first opened).
    for (const [p, part] of vectors.entries()) if (p > 0 || !reused) void part.file.prewarm();
    return new LocalIndex(dir, manifest, parts, { sentence: sentenceGraph, chunk: chunkGraph }, vectors);
  }

  get sentenceCount(): number {
    return this.sentences.length;
  }

  lexicalSearch(kind: PassageKind, query: string, k: number): PassageHit[] {
    const { lexical, stats, idByLabel } = this.search[kind];
    return LexicalIndex.searchParts(lexical, query, k, stats).map((hit) => ({
      id: idOf(idByLabel, hit.id),
      score: hit.score,
    }));
  }

  denseSearch(kind: PassageKind, vector: Float32Array, k: number): PassageHit[] {
    const { idByLabel } = this.search[kind];
    return this.graphs[kind].search(vector, k).map((hit) => ({ id: idOf(idByLabel, hit.label), score: hit.score }));
  }

  sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): number[] {
    const similarities = new Array<number>(sentenceIds.length);
    if (this.vectors.length === 1) {
      this.vectors[0].file.forEachRow(sentenceIds, (row, i) => {
        similarities[i] = dot(vector, row);
      });
      return similarities;
    }
    for (const [p, part] of this.vectors.entries()) {
      const end = this.vectors[p + 1]?.firstSentence ?? Number.POSITIVE_INFINITY;
      const at = sentenceIds.flatMap((id, i) => (id >= part.firstSentence && id < end ? [i] : []));
      part.file.forEachRow(
        at.map((i) => sentenceIds[i] - part.firstSentence),
        (row, j) => {
          similarities[at[j]] = dot(vector, row);
        },
      );
    }
    return similarities;
  }

  documentFrequencies(terms: readonly string[]): number[] {
    return terms.map((term) => this.search.sentence.stats.frequency(term));
  }

  chunk(id: number): ChunkSpan {
    return this.chunks[id];
  }

  sentence(id: number): IndexedSentence | undefined {
    return this.sentences[id];
  }

  window(id: number, radius: number): IndexedSentence[] {
    const center = this.sentences[id];
    if (!center) return [];
    const window: IndexedSentence[] = [];
    for (let i = id - radius; i <= id + radius; i++) {
      if (this.sentences[i]?.articleId === center.articleId) window.push(this.sentences[i]);
    }
    return window;
  }

  article(id: string): IndexedArticle | undefined {
    const stored = this.byId.get(id);
    return stored && { ...metaOf(stored), sentences: stored.sentences.map((s) => s.text) };
  }

  articles({ offset, limit }: { offset: number; limit: number }): { total: number; items: ArticleMeta[] } {
    return { total: this.stored.length, items: this.stored.slice(offset, offset + limit).map(metaOf) };
  }

  close(): void {
    for (const part of this.vectors) part.file.close();
  }
}

/** The id of a passage label, in whichever part holds it. */
function idOf(parts: readonly Map<number, number>[], label: number): number {
  for (const idByLabel of parts) {
    const id = idByLabel.get(label);
    if (id !== undefined) return id;
  }
  throw new Error(`label ${label} is in no part of the build`);
}

function metaOf(article: StoredArticle): ArticleMeta {
  const { id, title, outlet, date, url } = article;
  return { id, title, outlet, date, ...(url ? { url } : {}) };
}

export interface OpenOptions {
  /**
   * When the live build is damaged, open the newest intact build of the
   * folder instead (and call this with why and which), rather than fail.
   * Default: fail.
   */
  onFallback?: (damage: IndexDamagedError, usedDir: string) => void;
  /** An index open now, whose base part is taken over if the live build shares its files (see LocalIndex.open). */
  reuse?: LocalIndex;
}

/** Opens the newest intact build other than `damaged`, if there is one. */
async function openFallback(indexDir: string, damaged: string): Promise<LocalIndex | undefined> {
  for (const dir of await listBuilds(indexDir)) {
    if (dir === damaged) continue;
    try {
      return await LocalIndex.open(dir);
    } catch {
      // damaged too, or half-written: try an older one
    }
  }
  return undefined;
}

/**
 * Opens the live build of `indexDir`. Should a rebuild replace it while it is
 * being read, the new one is read instead. A damaged live build is an error,
 * or, with `onFallback`, replaced by the newest intact build.
 *
 * @throws IndexNotFoundError when no index was built yet.
 * @throws IndexDamagedError when the live build (and, with onFallback, every other) is damaged.
 */
export async function openIndex(indexDir: string, options: OpenOptions = {}): Promise<LocalIndex> {
  for (let attempt = 0; ; attempt++) {
    const dir = await requireCurrentBuildDir(indexDir);
    try {
      return await LocalIndex.open(dir, { reuse: options.reuse });
    } catch (error) {
      // A failure because the build was replaced (and its folder removed) while being read: read the new one.
      const replaced = (await currentBuildDir(indexDir)) !== dir;
      if (replaced && attempt < 2) continue;
      if (!(error instanceof IndexDamagedError) || !options.onFallback) throw error;
      const fallback = await openFallback(indexDir, dir);
      if (!fallback) throw error;
      options.onFallback(error, fallback.dir);
      return fallback;
    }
  }
}

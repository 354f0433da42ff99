import { basename, join } from 'node:path';
import type { ArticleMeta } from '../corpus/article.js';
import { UserError } from '../errors.js';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import { currentBuildDir, listBuilds, requireCurrentBuildDir } from './location.js';
import type {
  ChunkSpan,
  IndexedArticle,
  IndexedSentence,
  PassageHit,
  PassageKind,
  SearchIndex,
} from './search-index.js';
import { FILES, FORMAT_VERSION, type Manifest, readJson, type StoredArticle, VectorFile } from './store.js';
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

/** One kind of passage: its graph, its BM25 index, and its search labels mapped to ids. */
interface PassageSearch {
  hnsw: HnswIndex;
  lexical: LexicalIndex;
  idByLabel: Map<number, number>;
}

/**
 * The index of one published build, held in memory: HNSW graphs
 * (hnswlib-node) and BM25 indexes (lexical.ts) for sentences and for chunks,
 * the sentences' texts, and the articles' sources. Each vector is held once,
 * in its graph: sentence similarities read the rows they need from the
 * build's sentence vector table on disk (the page cache keeps them).
 */
export class LocalIndex implements SearchIndex {
  readonly version: string;
  readonly model: string;

  private constructor(
    /** The build's folder. */
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly stored: StoredArticle[],
    private readonly sentences: IndexedSentence[],
    private readonly chunks: ChunkSpan[],
    /** The sentences' vectors, read from the build's table as questions need them. */
    private readonly vectors: VectorFile,
    private readonly search: Record<PassageKind, PassageSearch>,
  ) {
    this.version = basename(dir);
    this.model = manifest.model;
    this.byId = new Map(stored.map((a) => [a.id, a]));
  }

  private readonly byId: Map<string, StoredArticle>;

  /**
   * Opens a build folder, once it is checked (verifyBuild).
   *
   * @throws IndexDamagedError, IndexFormatError
   */
  static async open(dir: string): Promise<LocalIndex> {
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
    const lexical = Promise.all([
      LexicalIndex.read(join(dir, FILES.sentenceLexical)),
      LexicalIndex.read(join(dir, FILES.chunkLexical)),
    ]);
    const stored = await readJson<StoredArticle[]>(dir, FILES.articles).catch(() => {
      throw new IndexDamagedError(dir, FILES.articles, 'cannot be read');
    });
    const sentences: IndexedSentence[] = [];
    const chunks: ChunkSpan[] = [];
    const sentenceLabels = new Map<number, number>();
    const chunkLabels = new Map<number, number>();
    for (const article of stored) {
      const base = sentences.length;
      article.sentences.forEach((s, position) => {
        sentenceLabels.set(article.labels.sentences[position], sentences.length);
        sentences.push({ id: base + position, articleId: article.id, position, text: s.text });
      });
      article.chunks.forEach((c, i) => {
        chunkLabels.set(article.labels.chunks[i], chunks.length);
        chunks.push({ first: base + c.first, last: base + c.last });
      });
    }
    const [[sentenceHnsw, chunkHnsw], [sentenceLexical, chunkLexical]] = await Promise.all([graphs, lexical]);
    const vectors = new VectorFile(join(dir, FILES.sentenceVectors), dimension);
    return new LocalIndex(dir, manifest, stored, sentences, chunks, vectors, {
      sentence: { hnsw: sentenceHnsw, lexical: sentenceLexical, idByLabel: sentenceLabels },
      chunk: { hnsw: chunkHnsw, lexical: chunkLexical, idByLabel: chunkLabels },
    });
  }

  get sentenceCount(): number {
    return this.sentences.length;
  }

  lexicalSearch(kind: PassageKind, query: string, k: number): PassageHit[] {
    const { lexical, idByLabel } = this.search[kind];
    return lexical.search(query, k).map((hit) => ({ id: idByLabel.get(hit.id) as number, score: hit.score }));
  }

  denseSearch(kind: PassageKind, vector: Float32Array, k: number): PassageHit[] {
    const { hnsw, idByLabel } = this.search[kind];
    return hnsw.search(vector, k).map((hit) => ({ id: idByLabel.get(hit.label) as number, score: hit.score }));
  }

  sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): number[] {
    const similarities = new Array<number>(sentenceIds.length);
    this.vectors.forEachRow(sentenceIds, (row, i) => {
      similarities[i] = dot(vector, row);
    });
    return similarities;
  }

  documentFrequencies(terms: readonly string[]): number[] {
    return terms.map((term) => this.search.sentence.lexical.documentFrequency(term));
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
    this.vectors.close();
  }
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
      return await LocalIndex.open(dir);
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

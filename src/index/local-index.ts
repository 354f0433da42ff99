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
import { dot, type VectorHit } from './vector-index.js';
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

/** One kind of passage: its graph and BM25 index in each part of the build, and its search labels mapped to ids. */
interface PassageSearch {
  hnsw: HnswIndex[];
  lexical: LexicalIndex[];
  idByLabel: Map<number, number>;
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
 * articles in one list (base first), both graphs searched and their hits
 * merged, and BM25 scored with the statistics of both parts together, so a
 * passage scores as it would in one index of every article.
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
    /** The sentences' vectors, read from each part's table as questions need them. */
    private readonly vectors: PartVectors[],
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
    const { dimension } = manifest;
    const parts = partsOf(manifest);
    const path = (part: PartName, file: string) => join(dir, partFile(part, file));
    // The graphs load in libuv's threads while this one reads the rest.
    const graphs = Promise.all(
      parts.map(({ name, counts }) =>
        Promise.all([
          HnswIndex.load(path(name, FILES.sentenceHnsw), dimension, { size: counts.sentences }),
          HnswIndex.load(path(name, FILES.chunkHnsw), dimension, { size: counts.chunks }),
        ]),
      ),
    );
    const lexical = Promise.all(
      parts.map(({ name }) =>
        Promise.all([
          LexicalIndex.read(path(name, FILES.sentenceLexical)),
          LexicalIndex.read(path(name, FILES.chunkLexical)),
        ]),
      ),
    );
    const stored: StoredArticle[] = [];
    for (const { name } of parts) {
      const file = partFile(name, FILES.articles);
      const articles = await readJson<StoredArticle[]>(dir, file).catch(() => {
        throw new IndexDamagedError(dir, file, 'cannot be read');
      });
      for (const article of articles) stored.push(article);
    }
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
    const [partGraphs, partLexical] = await Promise.all([graphs, lexical]);
    let firstSentence = 0;
    const vectors = parts.map(({ name, counts }) => {
      const part = { file: new VectorFile(path(name, FILES.sentenceVectors), dimension), firstSentence };
      firstSentence += counts.sentences;
      return part;
    });
    return new LocalIndex(dir, manifest, stored, sentences, chunks, vectors, {
      sentence: {
        hnsw: partGraphs.map(([g]) => g),
        lexical: partLexical.map(([l]) => l),
        idByLabel: sentenceLabels,
      },
      chunk: {
        hnsw: partGraphs.map(([, g]) => g),
        lexical: partLexical.map(([, l]) => l),
        idByLabel: chunkLabels,
      },
    });
  }

  get sentenceCount(): number {
    return this.sentences.length;
  }

  lexicalSearch(kind: PassageKind, query: string, k: number): PassageHit[] {
    const { lexical, idByLabel } = this.search[kind];
    return LexicalIndex.searchParts(lexical, query, k).map((hit) => ({
      id: idByLabel.get(hit.id) as number,
      score: hit.score,
    }));
  }

  denseSearch(kind: PassageKind, vector: Float32Array, k: number): PassageHit[] {
    const { hnsw, idByLabel } = this.search[kind];
    const hits =
      hnsw.length === 1
        ? hnsw[0].search(vector, k)
        : mergeHits(
            hnsw.map((g) => g.search(vector, k)),
            k,
          );
    return hits.map((hit) => ({ id: idByLabel.get(hit.label) as number, score: hit.score }));
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
    const parts = this.search.sentence.lexical;
    return terms.map((term) => parts.reduce((sum, part) => sum + part.documentFrequency(term), 0));
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

/** The best `k` of several graphs' hits, by score (a part's hits before a later part's on a tie). */
function mergeHits(lists: VectorHit[][], k: number): VectorHit[] {
  return lists
    .flat()
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
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

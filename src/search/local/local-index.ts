import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArticleMeta } from '../../corpus/article.js';
import { UserError } from '../../errors.js';
import type { CollectionStats } from '../bm25.js';
import { compareFiles, orderTies } from '../order.js';
import type {
  ChunkSpan,
  IndexedArticle,
  IndexedSentence,
  PassageHit,
  PassageKind,
  SearchIndex,
} from '../search-index.js';
import { dot } from '../vectors.js';
import { type HalfTable, norm } from './halves.js';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import { currentBuildDir, listBuilds, requireCurrentBuildDir } from './location.js';
import {
  ARTICLES_ENCODING,
  FILES,
  FORMAT_VERSION,
  type Manifest,
  type PartName,
  partFile,
  partsOf,
  readJson,
  readKeys,
  representatives,
  rowsAdded,
  type StoredArticle,
  VectorFile,
} from './store.js';
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
  /** Each sentence's label, by its place in the part. */
  sentenceLabels: Uint32Array;
  chunks: ChunkSpan[];
  search: Record<PassageKind, PassageSearch>;
  /** Each passage's text fingerprint, by its place in the part. */
  keys: Record<PassageKind, Float64Array>;
}

/** The files of a part that its loaded form is made of. */
const LOADED_FILES = [FILES.articles, FILES.sentenceLexical, FILES.chunkLexical, FILES.sentenceKeys, FILES.chunkKeys];
const GRAPH_FILES = [FILES.sentenceHnsw, FILES.chunkHnsw];

/** Which files these are: device, inode and size of each (a hard link has its original's). */
async function identityOf(dir: string, files: readonly string[]): Promise<string> {
  const stats = await Promise.all(files.map((f) => stat(join(dir, f))));
  return stats.map((s) => `${s.dev}:${s.ino}:${s.size}`).join(',');
}

const partIdentity = (dir: string, part: PartName) =>
  identityOf(
    dir,
    LOADED_FILES.map((f) => partFile(part, f)),
  );

/** Reads a part's articles and BM25 indexes; its first sentence and chunk have ids `first`. */
async function loadPart(
  dir: string,
  name: PartName,
  first: { sentence: number; chunk: number },
  identity = partIdentity(dir, name),
): Promise<LoadedPart> {
  const path = (file: string) => join(dir, partFile(name, file));
  const lexical = Promise.all([
    LexicalIndex.read(path(FILES.sentenceLexical)),
    LexicalIndex.read(path(FILES.chunkLexical)),
  ]);
  const keys = Promise.all([
    readKeys(dir, partFile(name, FILES.sentenceKeys)),
    readKeys(dir, partFile(name, FILES.chunkKeys)),
  ]);
  // Awaited below; marked handled now, so that their failure while the articles are read is not an unhandled rejection.
  for (const pending of [identity, lexical, keys]) pending.catch(() => undefined);
  const file = partFile(name, FILES.articles);
  const stored = await readJson<StoredArticle[]>(dir, file, ARTICLES_ENCODING).catch(() => {
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
  const [sentenceKeys, chunkKeys] = await keys;
  return {
    keys: { sentence: sentenceKeys, chunk: chunkKeys },
    identity: await identity,
    stored,
    sentences,
    sentenceLabels: Uint32Array.from(stored.flatMap((a) => a.labels.sentences)),
    chunks,
    search: {
      sentence: { lexical: sentenceLexical, idByLabel: sentenceLabels },
      chunk: { lexical: chunkLexical, idByLabel: chunkLabels },
    },
  };
}

/** Passages added to a graph between two turns of the event loop while a build's pending passages are added. */
const PENDING_SLICE = 250;

/** Per kind, the labels of a build's pending passages (Manifest.pending) and their rows in the delta's tables, in the order they are added. */
type Pending = Record<PassageKind, { labels: number[]; rows: number[] }>;

/** @throws IndexDamagedError when the delta does not hold the pending passages the manifest says. */
function pendingOf(dir: string, manifest: Manifest, delta: LoadedPart | undefined): Pending {
  const of = (plural: 'sentences' | 'chunks') => {
    const { pending } = manifest;
    if (!pending) return { labels: [], rows: [] };
    const labels = delta?.stored.flatMap((a) => a.labels[plural]) ?? [];
    // The delta's graph entries from `from` on (write.ts keeps the graph files only when these are the new ones).
    const entries = representatives(labels, delta?.keys[plural === 'sentences' ? 'sentence' : 'chunk'] ?? []);
    const rows = rowsAdded(labels, (label) => label >= pending.from && entries.has(label));
    if (rows.length !== pending[plural])
      throw new IndexDamagedError(
        dir,
        FILES.manifest,
        `counts ${pending[plural]} pending ${plural}, not ${rows.length}`,
      );
    return { labels: rows.map((row) => labels[row]), rows };
  };
  return { sentence: of('sentences'), chunk: of('chunks') };
}

/**
 * Adds the pending passages (Manifest.pending) to the graphs, but for the
 * first `added` of each kind (already there), in the order a build writing
 * the graphs would have (rowsFrom), so the graphs are the same as if it
 * had. Yields to the event loop between slices: a bot reloading its index
 * keeps answering meanwhile.
 */
async function addPending(
  dir: string,
  dimension: number,
  pending: Pending,
  graphs: Record<PassageKind, HnswIndex>,
  added: Record<PassageKind, number> = { sentence: 0, chunk: 0 },
): Promise<void> {
  const tables = { sentence: FILES.sentenceVectors, chunk: FILES.chunkVectors };
  for (const kind of ['sentence', 'chunk'] as const) {
    const rows = pending[kind].rows.slice(added[kind]);
    const labels = pending[kind].labels.slice(added[kind]);
    if (rows.length === 0) continue;
    const vectors: Float32Array[] = [];
    const table = new VectorFile(join(dir, partFile('delta', tables[kind])), dimension);
    try {
      table.forEachRow(rows, (vector) => vectors.push(vector.slice()));
    } finally {
      table.close();
    }
    graphs[kind].reserve(rows.length);
    for (let i = 0; i < rows.length; i += PENDING_SLICE) {
      graphs[kind].add(vectors.slice(i, i + PENDING_SLICE), labels.slice(i, i + PENDING_SLICE));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const noop = () => undefined;

/** Does `list` start with `prefix`? */
function startsWith(list: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length <= list.length && prefix.every((x, i) => list[i] === x);
}

/** A build's graphs as loaded: which files, and the pending passages added to them. */
interface LoadedGraphs {
  identity: string;
  graphs: Record<PassageKind, HnswIndex>;
  pending: Pending;
}

/**
 * A part's sentence vector table, the id of its first sentence, and the
 * table's half-precision copy once read (a newer index taking the part over
 * shares it).
 */
interface PartVectors {
  file: VectorFile;
  firstSentence: number;
  halves: { table?: HalfTable; read?: Promise<unknown> };
}

/**
 * The index of one published build, held in memory: HNSW graphs
 * (hnswlib-node) and BM25 indexes (lexical.ts) for sentences and for chunks,
 * the sentences' texts, and the articles' sources. Each vector is held once
 * at full precision, in its graph; questions order sentences with a
 * half-precision copy of the sentence vectors (rankBySimilarity), and read
 * the few exact similarities they need from the build's sentence vector
 * table on disk.
 *
 * A build with a delta part is searched as one: the base's and the delta's
 * articles in one list (base first), one graph per kind holding both (the
 * delta's pending passages added at open), and
 * BM25 scored with the statistics of both parts together, so a passage
 * scores as it would in one index of every article.
 */
export class LocalIndex implements SearchIndex {
  readonly version: string;
  readonly model: string;
  private readonly stored: StoredArticle[];
  private readonly sentenceList: IndexedSentence[];
  private readonly chunkSpans: ChunkSpan[];
  private readonly byId: Map<string, StoredArticle>;
  /** Per kind: each part's BM25 index and label map, and the parts' statistics as one collection. */
  private readonly search: Record<
    PassageKind,
    {
      lexical: LexicalIndex[];
      stats: CollectionStats;
      idByLabel: Map<number, number>[];
      /** How equal hits of two parts are ordered, when the parts end to end are not in file order. */
      across?: (a: { p: number; position: number }, b: { p: number; position: number }) => number;
    }
  >;
  /** How many passages each graph held when this index opened: a newer index that took the graphs over may add more. */
  private readonly graphSizes: Record<PassageKind, number>;
  /** Per kind, the passages that share a text: what a dense hit on a text's one graph entry stands for. */
  private readonly texts: Record<PassageKind, TextGroups>;

  private constructor(
    /** The build's folder. */
    readonly dir: string,
    readonly manifest: Manifest,
    /** Base first, then the delta, if any. */
    private readonly parts: LoadedPart[],
    /** Each kind's graph: every part's passages, by label (shared with the next index when it takes them over). */
    private readonly loadedGraphs: LoadedGraphs,
    /** The sentences' vectors, read from each part's table as questions need them. */
    private readonly vectors: PartVectors[],
  ) {
    this.version = basename(dir);
    this.model = manifest.model;
    this.stored = parts.flatMap((p) => p.stored);
    this.sentenceList = parts.flatMap((p) => p.sentences);
    this.chunkSpans = parts.flatMap((p) => p.chunks);
    this.byId = new Map(this.stored.map((a) => [a.id, a]));
    // Equal BM25 scores, and the average length BM25 reads, follow the articles' files (src/search/order.ts).
    // Each part is in file order; a delta with an article whose file sorts before a base article's is not
    // after the base in that order: then `fileOrder` says, per kind, which ids come in which order.
    const fileOrder = this.stored.every((a, i) => i === 0 || compareFiles(this.stored[i - 1].file, a.file) < 0)
      ? undefined
      : idsInFileOrder(this.stored);
    const searchOf = (kind: PassageKind) => {
      const lexical = parts.map((p) => p.search[kind].lexical);
      const idByLabel = parts.map((p) => p.search[kind].idByLabel);
      const order = fileOrder?.[kind];
      if (!order) return { lexical, stats: LexicalIndex.collectionStats(lexical), idByLabel };
      const rank = new Uint32Array(order.length);
      for (const [r, id] of order.entries()) rank[id] = r;
      // A part's documents are its passages in id order: its position p is the id (first id of the part) + p.
      const firsts = [0, kind === 'sentence' ? parts[0].sentences.length : parts[0].chunks.length];
      const across = (a: { p: number; position: number }, b: { p: number; position: number }) =>
        rank[firsts[a.p] + a.position] - rank[firsts[b.p] + b.position];
      return { lexical, stats: LexicalIndex.collectionStats(lexical, order), idByLabel, across };
    };
    this.search = { sentence: searchOf('sentence'), chunk: searchOf('chunk') };
    this.texts = { sentence: textsOf(parts, 'sentence'), chunk: textsOf(parts, 'chunk') };
    this.graphSizes = { sentence: this.graphs.sentence.size, chunk: this.graphs.chunk.size };
  }

  private get graphs(): Record<PassageKind, HnswIndex> {
    return this.loadedGraphs.graphs;
  }

  /** Do the graphs hold what they held when this index opened (no newer index added to them)? */
  private graphsUnchanged(): boolean {
    return this.graphs.sentence.size === this.graphSizes.sentence && this.graphs.chunk.size === this.graphSizes.chunk;
  }

  /**
   * Opens a build folder, once it is checked (verifyBuild). With `reuse`,
   * an index whose base part has the same files (the new build hard-linked
   * them), that part is taken over instead of read again, and so are its
   * graphs when the new build kept their files: then only the delta is
   * read, and its new passages added to the graphs.
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
    const { dimension, graphSizes } = manifest;
    const load = () =>
      Promise.all([
        HnswIndex.load(join(dir, FILES.sentenceHnsw), dimension, { size: graphSizes.sentences }),
        HnswIndex.load(join(dir, FILES.chunkHnsw), dimension, { size: graphSizes.chunks }),
      ]).then(([sentence, chunk]) => ({ sentence, chunk }));
    // The graphs load in libuv's threads while this one reads the rest, unless the index in use
    // has these very graph files loaded: then they are taken over (below) if they can be.
    const graphIdentity = await identityOf(dir, GRAPH_FILES);
    const loading = reuse?.loadedGraphs.identity === graphIdentity ? undefined : load();
    loading?.catch(() => undefined); // awaited below (see loadPart)
    const [base, delta] = partsOf(manifest);
    const baseIdentity = partIdentity(dir, 'base');
    const reused = reuse && (await baseIdentity) === reuse.parts[0].identity ? reuse.parts[0] : undefined;
    const parts = await Promise.all([
      reused ?? loadPart(dir, 'base', { sentence: 0, chunk: 0 }, baseIdentity),
      ...(delta ? [loadPart(dir, 'delta', { sentence: base.counts.sentences, chunk: base.counts.chunks })] : []),
    ]);
    const pendingNow = pendingOf(dir, manifest, delta && parts[1]);
    // The graphs in use hold these files and pending passages the new build still has first,
    // in the same order: adding the rest makes the graphs a fresh open would (see addPending).
    const previous = reuse?.loadedGraphs;
    const takeOver =
      !loading &&
      previous !== undefined &&
      reuse?.graphsUnchanged() === true &&
      startsWith(pendingNow.sentence.labels, previous.pending.sentence.labels) &&
      startsWith(pendingNow.chunk.labels, previous.pending.chunk.labels);
    const graphs = takeOver ? previous.graphs : await (loading ?? load());
    await addPending(
      dir,
      dimension,
      pendingNow,
      graphs,
      takeOver
        ? { sentence: previous.pending.sentence.labels.length, chunk: previous.pending.chunk.labels.length }
        : undefined,
    );
    const vectors = [base, ...(delta ? [delta] : [])].map(({ name }, p): PartVectors => {
      const file = new VectorFile(join(dir, partFile(name, FILES.sentenceVectors)), dimension);
      const taken = p === 0 && reused ? reuse?.vectors[0].halves : undefined;
      const halves: PartVectors['halves'] = taken?.table ? taken : {};
      // Read in the background: until then, similarities are read exactly from the table
      // (and if the read fails, they always are: the answers are the same, only slower).
      halves.read ??= file.readHalves().then((table) => (halves.table = table), noop);
      return { file, firstSentence: p === 0 ? 0 : base.counts.sentences, halves };
    });
    return new LocalIndex(dir, manifest, parts, { identity: graphIdentity, graphs, pending: pendingNow }, vectors);
  }

  get sentenceCount(): number {
    return this.sentenceList.length;
  }

  async lexicalSearch(kind: PassageKind, query: string, k: number): Promise<PassageHit[]> {
    const { lexical, stats, idByLabel, across } = this.search[kind];
    return LexicalIndex.searchParts(lexical, query, k, stats, across).map((hit) => ({
      id: idOf(idByLabel, hit.id),
      score: hit.score,
    }));
  }

  async denseSearch(kind: PassageKind, vector: Float32Array, k: number): Promise<PassageHit[]> {
    const { idByLabel } = this.search[kind];
    const graph = this.graphs[kind];
    // Passages a newer index added to the graph since (it took the graph over): asked for in excess, then left out.
    const unknown = graph.size - this.graphSizes[kind];
    // The graph holds one entry per distinct text (store.ts, representatives): its k nearest texts, each
    // standing for every passage with that text (found once if both parts have an entry for it).
    const texts = this.texts[kind];
    const hits: PassageHit[] = [];
    const seen = new Set<number>();
    let found = 0;
    for (const hit of graph.search(vector, k + unknown)) {
      const id = hit.label < this.manifest.nextLabel ? idOf(idByLabel, hit.label) : undefined;
      if (id === undefined || found >= k) continue;
      // k passages, and every one tied with the last, are all the cut can keep: the texts past them are not expanded.
      if (hits.length >= k && hit.score !== hits[hits.length - 1].score) break;
      found++;
      if (seen.has(texts.keyOf(id))) continue;
      seen.add(texts.keyOf(id));
      for (const member of texts.membersOf(id)) hits.push({ id: member, score: hit.score });
    }
    // Equal similarities (one text in many articles) in the order every engine gives them, then cut to k
    // passages: a text's passages are all there, so the cut is the same in every engine.
    return orderTies(
      hits,
      (a, b) => a.score === b.score,
      (id) => this.fileOf(kind, id),
      k,
    );
  }

  /** The file of the article a passage is in. */
  private fileOf(kind: PassageKind, id: number): string {
    const sentence = this.sentenceList[kind === 'sentence' ? id : this.chunkSpans[id].first];
    return this.byId.get(sentence.articleId)?.file ?? '';
  }

  /** Resolves once the sentence vectors' half-precision copies are read (or could not be): the index is then as fast as it gets. */
  async copiesRead(): Promise<void> {
    await Promise.all(this.vectors.map((v) => v.halves.read));
  }

  /**
   * Orders by the half-precision copies, which bound their errors: when every
   * gap between neighbours is wider than their errors, the exact similarities
   * are in the same order, and no row is read from disk. Otherwise (close
   * similarities, equal ones, or copies not read yet) the exact ones decide.
   */
  async rankBySimilarity(vector: Float32Array, groups: readonly (readonly number[])[]): Promise<number[][]> {
    return groups.map((ids) => this.rankGroup(vector, ids));
  }

  private rankGroup(vector: Float32Array, sentenceIds: readonly number[]): number[] {
    if (sentenceIds.length < 2) return [...sentenceIds];
    const approximate = this.halfSimilarities(vector, sentenceIds);
    if (approximate) {
      const order = sentenceIds.map((_, i) => i).sort((a, b) => approximate[b].value - approximate[a].value);
      const decided = order.every((i, r) => {
        if (r === 0) return true;
        const above = approximate[order[r - 1]];
        return above.value - approximate[i].value > above.error + approximate[i].error;
      });
      if (decided) return order.map((i) => sentenceIds[i]);
    }
    const exact = this.exactSimilarities(vector, sentenceIds);
    return sentenceIds
      .map((_, i) => i)
      .sort((a, b) => exact[b] - exact[a])
      .map((i) => sentenceIds[i]);
  }

  /** Similarities from the half-precision copies with their error bounds, or undefined while a copy is being read. */
  private halfSimilarities(vector: Float32Array, sentenceIds: readonly number[]) {
    const queryNorm = norm(vector);
    const similarities: { value: number; error: number }[] = [];
    for (const id of sentenceIds) {
      const { part, offset } = this.placeOf(id);
      const { table } = this.vectors[part].halves;
      if (!table) return undefined;
      similarities.push(table.similarity(vector, offset, queryNorm));
    }
    return similarities;
  }

  /** The part holding sentence `id` (0: the base, 1: the delta) and the sentence's place in it. */
  private placeOf(id: number): { part: number; offset: number } {
    const part = this.vectors.length > 1 && id >= this.vectors[1].firstSentence ? 1 : 0;
    return { part, offset: id - this.vectors[part].firstSentence };
  }

  async sentenceSimilarities(vector: Float32Array, sentenceIds: readonly number[]): Promise<number[]> {
    return this.exactSimilarities(vector, sentenceIds);
  }

  /** Similarities read from the sentence vector tables. */
  private exactSimilarities(vector: Float32Array, sentenceIds: readonly number[]): number[] {
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

  async termsIn(groups: readonly (readonly number[])[], terms: readonly string[]): Promise<Set<string>[]> {
    return groups.map((ids) => this.termsInGroup(ids, terms));
  }

  private termsInGroup(sentenceIds: readonly number[], terms: readonly string[]): Set<string> {
    const held = new Set<string>();
    for (const id of sentenceIds) {
      const { part, offset } = this.placeOf(id);
      const label = this.parts[part].sentenceLabels[offset];
      if (label === undefined) continue;
      const { lexical } = this.parts[part].search.sentence;
      for (const term of terms) if (!held.has(term) && lexical.holds(label, term)) held.add(term);
    }
    return held;
  }

  async documentFrequencies(terms: readonly string[]): Promise<number[]> {
    return terms.map((term) => this.search.sentence.stats.frequency(term));
  }

  async chunks(ids: readonly number[]): Promise<ChunkSpan[]> {
    return ids.map((id) => this.chunkSpans[id]);
  }

  async sentences(ids: readonly number[]): Promise<(IndexedSentence | undefined)[]> {
    return ids.map((id) => this.sentenceAt(id));
  }

  /** The sentence with this id, or undefined (ids outside the build, -1 among them). */
  private sentenceAt(id: number): IndexedSentence | undefined {
    return Number.isInteger(id) && id >= 0 ? this.sentenceList[id] : undefined;
  }

  async windows(ids: readonly number[], radius: number): Promise<IndexedSentence[][]> {
    return ids.map((id) => {
      const center = this.sentenceAt(id);
      if (!center) return [];
      const window: IndexedSentence[] = [];
      for (let i = id - radius; i <= id + radius; i++) {
        if (this.sentenceAt(i)?.articleId === center.articleId) window.push(this.sentenceList[i]);
      }
      return window;
    });
  }

  async articleMetas(ids: readonly string[]): Promise<(ArticleMeta | undefined)[]> {
    return ids.map((id) => {
      const stored = this.byId.get(id);
      return stored && metaOf(stored);
    });
  }

  async article(id: string): Promise<IndexedArticle | undefined> {
    const stored = this.byId.get(id);
    return stored && { ...metaOf(stored), sentences: stored.sentences.map((s) => s.text) };
  }

  async articles({
    offset,
    limit,
  }: {
    offset: number;
    limit: number;
  }): Promise<{ total: number; items: ArticleMeta[] }> {
    return { total: this.stored.length, items: this.stored.slice(offset, offset + limit).map(metaOf) };
  }

  async close(): Promise<void> {
    for (const part of this.vectors) part.file.close();
  }
}

/** Per kind, every id, in the order of the articles' files (then of the ids: an article's passages in order). */
function idsInFileOrder(stored: readonly StoredArticle[]): Record<PassageKind, number[]> {
  let sentence = 0;
  let chunk = 0;
  const firsts = stored.map((article) => {
    const first = { article, sentence, chunk };
    sentence += article.sentences.length;
    chunk += article.chunks.length;
    return first;
  });
  firsts.sort((a, b) => compareFiles(a.article.file, b.article.file));
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  return {
    sentence: firsts.flatMap((f) => range(f.sentence, f.article.sentences.length)),
    chunk: firsts.flatMap((f) => range(f.chunk, f.article.chunks.length)),
  };
}

/**
 * The passages of a build that share a text, per kind: a hash table over the
 * passages' fingerprints (open addressing, in typed arrays: a Map of a
 * million float keys took seconds), each text's first passage in it, and
 * its other passages chained after it in id order.
 */
class TextGroups {
  private readonly table: Int32Array;
  private readonly mask: number;
  /** The next passage with the same text, or -1. */
  private readonly next: Int32Array;

  constructor(private readonly keys: Float64Array) {
    let size = 1;
    while (size < 2 * keys.length) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size).fill(-1);
    this.next = new Int32Array(keys.length).fill(-1);
    const last = new Int32Array(keys.length); // per text's first passage, its last one so far
    for (let id = 0; id < keys.length; id++) {
      const slot = this.slotOf(keys[id]);
      const first = this.table[slot];
      if (first === -1) {
        this.table[slot] = id;
        last[id] = id;
      } else {
        this.next[last[first]] = id;
        last[first] = id;
      }
    }
  }

  /** The slot of a fingerprint: its own, or the empty one it would take (the low 32 bits are SHA-256's: uniform). */
  private slotOf(key: number): number {
    let slot = (key >>> 0) & this.mask;
    while (this.table[slot] !== -1 && this.keys[this.table[slot]] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** The fingerprint of a passage's text. */
  keyOf(id: number): number {
    return this.keys[id];
  }

  /** Every passage with the same text as passage `id`, in id order (itself among them). */
  membersOf(id: number): number[] {
    const members: number[] = [];
    for (let m = this.table[this.slotOf(this.keys[id])]; m !== -1; m = this.next[m]) members.push(m);
    return members;
  }
}

/** Per kind, the passages that share a text, over every part (ids: the base's, then the delta's). */
function textsOf(parts: readonly LoadedPart[], kind: PassageKind): TextGroups {
  const keys = new Float64Array(parts.reduce((n, p) => n + p.keys[kind].length, 0));
  let at = 0;
  for (const part of parts) {
    keys.set(part.keys[kind], at);
    at += part.keys[kind].length;
  }
  return new TextGroups(keys);
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
    let dir = '';
    try {
      dir = await requireCurrentBuildDir(indexDir); // IndexDamagedError when CURRENT names no build of the folder
      return await LocalIndex.open(dir, { reuse: options.reuse });
    } catch (error) {
      // A failure because the build was replaced (and its folder removed) while being read: read the new one.
      const replaced = dir !== '' && (await currentBuildDir(indexDir).catch(() => null)) !== dir;
      if (replaced && attempt < 2) continue;
      if (!(error instanceof IndexDamagedError) || !options.onFallback) throw error;
      const fallback = await openFallback(indexDir, dir);
      if (!fallback) throw error;
      options.onFallback(error, fallback.dir);
      return fallback;
    }
  }
}

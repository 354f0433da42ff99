import type { Article } from '../../corpus/article.js';
import { type ChunkOptions, chunkSentences } from '../../corpus/chunks.js';
import type { LoadedCorpus, Lookup } from '../../corpus/load.js';
import { chunkText, passageFingerprint } from '../passages.js';
import { currentBuildDir } from './location.js';
import { PartSources, sourceLookups } from './sources.js';
import {
  ARTICLES_ENCODING,
  type Counts,
  FILES,
  FORMAT_VERSION,
  type Manifest,
  type PartName,
  partFile,
  partsOf,
  readJson,
  readKeys,
  readVectors,
  representatives,
  row,
  type StoredArticle,
  type VectorTable,
} from './store.js';
import { IndexDamagedError, verifyBuild } from './verify.js';

/**
 * The delta may grow to this share of the base's articles; a build that
 * would make it larger, or that changes or removes an article of the base,
 * writes the whole build again (one base, no delta).
 */
export const MAX_DELTA_SHARE = 0.1;

/** The live build, when it was made the same way as the next one and can be updated: its manifest, checked. */
export interface PreviousBuild {
  dir: string;
  manifest: Manifest;
  /** Each part's sources, base first. */
  sources: PartSources[];
  /** Content hash per article id: files with the same hash are not read again. */
  hashes: Lookup<string>;
  /** Stamps of the article files by file name: files with the same stamp are not even read. */
  stamps: Lookup<readonly [number, number]>;
}

/** A part of the previous build, read: its articles, and their vectors. */
interface ReadPart {
  name: PartName;
  articles: StoredArticle[];
  sentenceVectors: VectorTable;
  chunkVectors: VectorTable;
  sentenceKeys: Float64Array;
  chunkKeys: Float64Array;
  /** Where each article's rows start in the vector tables. */
  offsets: Map<string, { sentence: number; chunk: number }>;
}

/** An article's vectors: one per sentence, one per chunk. */
export interface ArticleVectors {
  sentences: Float32Array[];
  chunks: Float32Array[];
}

/** The texts an article's passages are embedded and searched as. */
export interface PassageTexts {
  sentences: string[];
  chunks: string[];
}

/** The fingerprints of an article's passages' texts (passageFingerprint), per kind. */
export interface PassageKeys {
  sentences: number[];
  chunks: number[];
}

/** Per kind, the labels of passages that have (or had) a graph entry (see representatives). */
export type GraphEntries = Record<'sentences' | 'chunks', Set<number>>;

/**
 * An article of the part being written: taken over with its vectors (and
 * already in the previous build's graphs), or new (embedded, then added to
 * the graphs). `passages` is set when its passages are added to the part's
 * BM25 indexes: a new article, or one taken over from a delta that is being
 * written again or merged into the base.
 */
export type PlannedArticle =
  | { stored: StoredArticle; keys: PassageKeys; reused: ArticleVectors; passages?: PassageTexts }
  | { stored: StoredArticle; keys: PassageKeys; reused?: undefined; passages: PassageTexts };

export interface BuildPlan {
  /**
   * The part this build writes: `base`, the whole build (updating the
   * previous base's search files in place, if any); or `delta`, beside the
   * previous build's base, which is kept as it is.
   */
  part: PartName;
  /** Every article of that part, in file-name order. */
  articles: PlannedArticle[];
  /** What the kept base holds (a delta build). */
  keptBase?: Counts;
  /** Articles of the previous build that are not in the next one as they were (gone or changed). */
  removed: number;
  /** Their labels, to be removed from the previous base's BM25 indexes (a base build). */
  removedLabels: Record<'lexical', { sentences: number[]; chunks: number[] }>;
  /**
   * The graphs' entries (one per distinct text of a part: representatives):
   * `next`, those of the part this build writes; `previous`, those of the
   * previous build's parts it writes again (both parts for a whole build, the
   * delta for a delta). The graph files lose the previous ones not in next,
   * and gain the next ones not in them.
   */
  graph: { next: GraphEntries; previous: GraphEntries };
  /** The previous build, if any. */
  previous?: PreviousBuild;
  /** The next free passage label once the new passages have theirs. */
  nextLabel: number;
}

/**
 * Reads the live build's manifest if the next build can update it: same
 * format, model and chunking, and intact. Otherwise says why everything must
 * be built again (no reason when there is no build yet).
 */
export async function readPreviousBuild(
  indexDir: string,
  modelId: string,
  chunking: ChunkOptions,
): Promise<{ build?: PreviousBuild; reason?: string }> {
  let dir: string | null;
  try {
    dir = await currentBuildDir(indexDir);
  } catch (error) {
    const why = error instanceof IndexDamagedError ? `${error.file} ${error.problem}` : (error as Error).message;
    return { reason: `the live build is damaged (${why})` };
  }
  if (!dir) return {};
  let manifest: Manifest;
  let sources: PartSources[];
  try {
    manifest = await verifyBuild(dir, [
      FILES.articles,
      FILES.sentenceVectors,
      FILES.chunkVectors,
      FILES.sentenceKeys,
      FILES.chunkKeys,
      FILES.sources,
    ]);
    if (manifest.formatVersion !== FORMAT_VERSION)
      return { reason: `the live build has format ${manifest.formatVersion}` };
    sources = await Promise.all(partsOf(manifest).map((part) => PartSources.read(dir, part.name)));
  } catch (error) {
    const why =
      error instanceof IndexDamagedError ? `${error.file} ${error.problem}` : (error as Error).message.split('\n')[0];
    return { reason: `the live build is damaged (${why})` };
  }
  if (manifest.model !== modelId) return { reason: `the live build was made with ${manifest.model}` };
  if (manifest.chunking.maxChars !== chunking.maxChars || manifest.chunking.overlap !== chunking.overlap) {
    return { reason: 'the live build was chunked differently' };
  }
  return {
    build: {
      dir,
      manifest,
      sources,
      // The delta's first: it holds the new stamps of base files that were touched (see buildIndex).
      ...sourceLookups([...sources].reverse()),
    },
  };
}

/** Reads one part of the previous build: its articles and vector tables. */
async function readPart(previous: PreviousBuild, name: PartName): Promise<ReadPart> {
  const { dir, manifest } = previous;
  const articles = await readJson<StoredArticle[]>(dir, partFile(name, FILES.articles), ARTICLES_ENCODING);
  const offsets = new Map<string, { sentence: number; chunk: number }>();
  let sentence = 0;
  let chunk = 0;
  for (const a of articles) {
    offsets.set(a.id, { sentence, chunk });
    sentence += a.sentences.length;
    chunk += a.chunks.length;
  }
  return {
    name,
    articles,
    sentenceVectors: await readVectors(dir, partFile(name, FILES.sentenceVectors), manifest.dimension),
    chunkVectors: await readVectors(dir, partFile(name, FILES.chunkVectors), manifest.dimension),
    sentenceKeys: await readKeys(dir, partFile(name, FILES.sentenceKeys)),
    chunkKeys: await readKeys(dir, partFile(name, FILES.chunkKeys)),
    offsets,
  };
}

/** An unchanged article's vectors, as views into its part's tables. */
function reusedVectors(part: ReadPart, article: StoredArticle): ArticleVectors {
  const start = part.offsets.get(article.id) ?? { sentence: 0, chunk: 0 };
  return {
    sentences: article.sentences.map((_, i) => row(part.sentenceVectors, start.sentence + i)),
    chunks: article.chunks.map((_, i) => row(part.chunkVectors, start.chunk + i)),
  };
}

/** An unchanged article's fingerprints, from its part's tables. */
function reusedKeys(part: ReadPart, article: StoredArticle): PassageKeys {
  const start = part.offsets.get(article.id) ?? { sentence: 0, chunk: 0 };
  return {
    sentences: Array.from(part.sentenceKeys.subarray(start.sentence, start.sentence + article.sentences.length)),
    chunks: Array.from(part.chunkKeys.subarray(start.chunk, start.chunk + article.chunks.length)),
  };
}

/** The fingerprints of new passages' texts. */
function keysOf(passages: PassageTexts): PassageKeys {
  return { sentences: passages.sentences.map(passageFingerprint), chunks: passages.chunks.map(passageFingerprint) };
}

/** A read part's graph entries. */
function entriesOf(part: ReadPart): GraphEntries {
  return {
    sentences: representatives(
      part.articles.flatMap((a) => a.labels.sentences),
      part.sentenceKeys,
    ),
    chunks: representatives(
      part.articles.flatMap((a) => a.labels.chunks),
      part.chunkKeys,
    ),
  };
}

/** The graph entries of the articles of the part being written. */
function plannedEntries(articles: readonly PlannedArticle[]): GraphEntries {
  const of = (kind: 'sentences' | 'chunks') =>
    representatives(
      articles.flatMap((a) => a.stored.labels[kind]),
      articles.flatMap((a) => a.keys[kind]),
    );
  return { sentences: of('sentences'), chunks: of('chunks') };
}

const union = (sets: GraphEntries[]): GraphEntries => ({
  sentences: new Set(sets.flatMap((s) => [...s.sentences])),
  chunks: new Set(sets.flatMap((s) => [...s.chunks])),
});

/** The texts of a stored article's passages. */
function passagesOf(stored: StoredArticle): PassageTexts {
  return {
    sentences: stored.sentences.map((s) => s.text),
    chunks: stored.chunks.map((c) => chunkText(stored, c)),
  };
}

/** A new article as the index stores it, with fresh labels for its passages. */
function toStored(article: Article, chunking: ChunkOptions, nextLabel: () => number): StoredArticle {
  const { text: _text, sentences, ...meta } = article;
  const chunks = chunkSentences(
    sentences.map((s) => s.text.length),
    chunking,
  );
  return {
    ...meta,
    sentences,
    chunks,
    labels: { sentences: sentences.map(() => nextLabel()), chunks: chunks.map(() => nextLabel()) },
  };
}

function noLabels(): BuildPlan['removedLabels'] {
  return { lexical: { sentences: [], chunks: [] } };
}

function addLabels(to: { sentences: number[]; chunks: number[] }, article: StoredArticle): void {
  to.sentences.push(...article.labels.sentences);
  to.chunks.push(...article.labels.chunks);
}

const byFile = (a: { stored: StoredArticle }, b: { stored: StoredArticle }) =>
  a.stored.file < b.stored.file ? -1 : a.stored.file > b.stored.file ? 1 : 0;

/**
 * Decides what the next build writes. When it only adds articles (or
 * changes those of the delta) and the delta stays under `maxDeltaShare` of
 * the base, a new delta beside the previous base; otherwise the whole build,
 * with unchanged articles taken over with their vectors and labels, new and
 * changed ones given new labels and texts to embed.
 */
export async function planBuild(
  corpus: LoadedCorpus,
  previous: PreviousBuild | undefined,
  chunking: ChunkOptions,
  { maxDeltaShare = MAX_DELTA_SHARE }: { maxDeltaShare?: number } = {},
): Promise<BuildPlan> {
  if (!previous) return planWhole(corpus, undefined, [], chunking);
  const delta = previous.manifest.delta ? await readPart(previous, 'delta') : undefined;
  const baseIds = previous.sources[0].ids;
  const baseIntact = baseIds.every((id) => corpus.unchanged.has(id));
  const deltaSize = corpus.unchanged.size - baseIds.length + corpus.articles.length;
  if (baseIds.length > 0 && baseIntact && deltaSize <= maxDeltaShare * baseIds.length) {
    return planDelta(corpus, previous, delta, chunking);
  }
  const base = await readPart(previous, 'base');
  return planWhole(corpus, previous, [base, ...(delta ? [delta] : [])], chunking);
}

/** The whole next build, its base part updating the previous base's search files in place. */
function planWhole(
  corpus: LoadedCorpus,
  previous: PreviousBuild | undefined,
  parts: ReadPart[],
  chunking: ChunkOptions,
): BuildPlan {
  let nextLabel = previous?.manifest.nextLabel ?? 0;
  const label = () => nextLabel++;
  const articles: PlannedArticle[] = [];
  const removedLabels = noLabels();
  for (const part of parts) {
    for (const stored of part.articles) {
      if (corpus.unchanged.has(stored.id)) {
        const reused = reusedVectors(part, stored);
        const keys = reusedKeys(part, stored);
        // The delta's articles join the base's BM25 indexes (they are in the graphs already).
        articles.push(
          part.name === 'base' ? { stored, keys, reused } : { stored, keys, reused, passages: passagesOf(stored) },
        );
      } else if (part.name === 'base') addLabels(removedLabels.lexical, stored);
    }
  }
  for (const article of corpus.articles) {
    const stored = toStored(article, chunking, label);
    const passages = passagesOf(stored);
    articles.push({ stored, keys: keysOf(passages), passages });
  }
  articles.sort(byFile);
  const removed = previous ? previous.manifest.counts.articles - corpus.unchanged.size : 0;
  const graph = { next: plannedEntries(articles), previous: union(parts.map(entriesOf)) };
  return { part: 'base', articles, removed, removedLabels, graph, previous, nextLabel };
}

/** A new delta beside the previous build's base: the previous delta's unchanged articles and the new ones. */
function planDelta(
  corpus: LoadedCorpus,
  previous: PreviousBuild,
  delta: ReadPart | undefined,
  chunking: ChunkOptions,
): BuildPlan {
  let nextLabel = previous.manifest.nextLabel;
  const label = () => nextLabel++;
  const articles: PlannedArticle[] = [];
  const removedLabels = noLabels();
  for (const stored of delta?.articles ?? []) {
    if (corpus.unchanged.has(stored.id))
      articles.push({
        stored,
        keys: reusedKeys(delta as ReadPart, stored),
        reused: reusedVectors(delta as ReadPart, stored),
        passages: passagesOf(stored),
      });
  }
  for (const article of corpus.articles) {
    const stored = toStored(article, chunking, label);
    const passages = passagesOf(stored);
    articles.push({ stored, keys: keysOf(passages), passages });
  }
  articles.sort(byFile);
  const graph = { next: plannedEntries(articles), previous: union(delta ? [entriesOf(delta)] : []) };
  const [base] = partsOf(previous.manifest);
  return {
    part: 'delta',
    articles,
    keptBase: base.counts,
    removed: previous.manifest.counts.articles - corpus.unchanged.size,
    removedLabels,
    graph,
    previous,
    nextLabel,
  };
}

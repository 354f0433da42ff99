import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Article } from '../corpus/article.js';
import { chunkSentences, type ChunkOptions } from '../corpus/chunks.js';
import { listCorpus, loadCorpus, type SkippedFile } from '../corpus/load.js';
import type { Embedder } from '../embedding/embedder.js';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import { createBuildDir, currentBuildDir, discardBuild, lockIndexDir, publishBuild } from './location.js';
import { chunkText } from './passages.js';
import {
  FILES,
  FORMAT_VERSION,
  readJson,
  readVectors,
  row,
  writeJson,
  writeVectors,
  type Manifest,
  type StoredArticle,
} from './store.js';

export interface BuildOptions {
  corpusDir: string;
  indexDir: string;
  embedder: Embedder;
  chunking: ChunkOptions;
  /** Embed and index every article again, even those that could be reused. */
  full?: boolean;
  /** Called once the work is known, then as passages are embedded. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each article file that is skipped, before the build goes on. */
  onSkip?: (skipped: SkippedFile) => void;
}

export interface BuildReport {
  articles: number;
  sentences: number;
  chunks: number;
  /** Articles whose passages were embedded in this build. */
  embedded: number;
  /** Articles whose vectors were taken over from the previous build. */
  reused: number;
  /** Articles of the previous build that are gone from the corpus. */
  removed: number;
  skipped: SkippedFile[];
  passagesEmbedded: number;
  seconds: number;
  model: string;
  buildDir: string;
}

export class IndexWriteError extends Error {}

interface ArticleVectors {
  sentences: Float32Array[];
  chunks: Float32Array[];
}

/** The live build, when it was made the same way as this one and can be updated. */
interface PreviousBuild {
  dir: string;
  manifest: Manifest;
  articles: Map<string, StoredArticle & { vectors: ArticleVectors }>;
}

async function readPreviousBuild(indexDir: string, modelId: string, chunking: ChunkOptions): Promise<PreviousBuild | undefined> {
  const dir = await currentBuildDir(indexDir);
  if (!dir || !existsSync(join(dir, FILES.manifest))) return undefined;
  try {
    const manifest = await readJson<Manifest>(dir, FILES.manifest);
    const sameRecipe =
      manifest.formatVersion === FORMAT_VERSION &&
      manifest.model === modelId &&
      manifest.chunking.maxChars === chunking.maxChars &&
      manifest.chunking.overlap === chunking.overlap;
    if (!sameRecipe) return undefined;
    const stored = await readJson<StoredArticle[]>(dir, FILES.articles);
    const sentenceTable = await readVectors(dir, FILES.sentenceVectors, manifest.dimension);
    const chunkTable = await readVectors(dir, FILES.chunkVectors, manifest.dimension);
    const articles = new Map<string, StoredArticle & { vectors: ArticleVectors }>();
    let s = 0;
    let c = 0;
    for (const article of stored) {
      const sentences = article.sentences.map((_, i) => row(sentenceTable, s + i));
      const chunks = article.chunks.map((_, i) => row(chunkTable, c + i));
      articles.set(article.id, { ...article, vectors: { sentences, chunks } });
      s += article.sentences.length;
      c += article.chunks.length;
    }
    return { dir, manifest, articles };
  } catch {
    return undefined; // an unreadable previous build only means everything is built again
  }
}

async function ensureWritable(indexDir: string): Promise<void> {
  try {
    await mkdir(indexDir, { recursive: true });
    await access(indexDir, constants.W_OK);
  } catch (error) {
    throw new IndexWriteError(`Cannot write the index to ${indexDir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** One kind of passage (sentences or chunks) across the whole index. */
interface PassageSet {
  labels: number[];
  vectors: Float32Array[];
  texts: string[];
  /** Labels and positions (in the lists above) of passages that are new in this build. */
  added: number[];
  /** Labels of the previous build's passages that are gone. */
  removed: number[];
}

/**
 * Writes a passage set's HNSW graph and BM25 index: the previous build's,
 * updated in place (removed passages deleted, new ones added), or new ones.
 */
async function writeSearchIndexes(
  set: PassageSet,
  dimension: number,
  files: { hnsw: string; lexical: string },
  buildDir: string,
  previous: { dir: string; size: number } | undefined,
): Promise<void> {
  const positions = new Map(set.labels.map((label, i) => [label, i]));
  const fresh = set.added.map((label) => positions.get(label)!);
  let hnsw: HnswIndex;
  let lexical: LexicalIndex;
  if (previous) {
    hnsw = HnswIndex.read(join(previous.dir, files.hnsw), dimension, { size: previous.size });
    hnsw.remove(set.removed);
    hnsw.add(fresh.map((i) => set.vectors[i]), set.added);
    lexical = LexicalIndex.fromJSON(await readFile(join(previous.dir, files.lexical), 'utf8'));
    lexical.remove(set.removed);
    lexical.add(fresh.map((i) => set.texts[i]), set.added);
  } else {
    hnsw = HnswIndex.build(set.vectors, dimension, { labels: set.labels });
    lexical = LexicalIndex.build(set.texts, set.labels);
  }
  hnsw.write(join(buildDir, files.hnsw));
  await writeFile(join(buildDir, files.lexical), lexical.toJSON());
}

/**
 * Builds the index for every article in `corpusDir` and publishes it in
 * `indexDir`. Articles unchanged since the previous build (same content hash,
 * model and chunking) keep their vectors and their places in the HNSW and
 * BM25 indexes, which are updated in place: only what changed is embedded and
 * indexed. The previous index stays live until the new one is complete.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const { corpusDir, indexDir, embedder, chunking } = options;
  const corpusFiles = await listCorpus(corpusDir);
  await ensureWritable(indexDir);
  const unlock = await lockIndexDir(indexDir);
  let buildDir: string | undefined;
  try {
    const previous = options.full ? undefined : await readPreviousBuild(indexDir, embedder.modelId, chunking);
    // Files whose bytes are unchanged are not parsed again: their stored form is reused.
    const known = new Map([...(previous?.articles.values() ?? [])].map((a) => [a.id, a.hash]));
    const { articles, unchanged, skipped } = await loadCorpus(corpusDir, { files: corpusFiles, known });
    skipped.forEach((s) => options.onSkip?.(s));
    let nextLabel = previous?.manifest.nextLabel ?? 0;
    const reused = new Map([...unchanged].map((id) => [id, previous!.articles.get(id)!]));
    const fresh = new Map(articles.map((a) => [a.id, a]));
    const stored: StoredArticle[] = [...new Set([...unchanged, ...fresh.keys()])].sort(byFile(previous, fresh)).map((id) => {
      const before = reused.get(id);
      if (before) {
        const { vectors: _vectors, ...kept } = before;
        return kept;
      }
      return toStored(fresh.get(id)!, chunking, () => nextLabel++);
    });
    const toEmbed = stored.filter((a) => !reused.has(a.id));
    const passages = toEmbed.flatMap((a) => [...a.sentences.map((s) => s.text), ...a.chunks.map((c) => chunkText(a, c))]);

    options.onProgress?.(0, passages.length);
    const embedded = await embedder.embedPassages(passages, (done) => options.onProgress?.(done, passages.length));
    const vectors = new Map<string, ArticleVectors>([...reused].map(([id, a]) => [id, a.vectors]));
    let next = 0;
    for (const a of toEmbed) {
      const sentences = embedded.slice(next, (next += a.sentences.length));
      const chunks = embedded.slice(next, (next += a.chunks.length));
      vectors.set(a.id, { sentences, chunks });
    }
    const removedArticles = [...(previous?.articles.values() ?? [])].filter((a) => !reused.has(a.id));
    const sentenceSet: PassageSet = {
      labels: stored.flatMap((a) => a.labels.sentences),
      vectors: stored.flatMap((a) => vectors.get(a.id)!.sentences),
      texts: stored.flatMap((a) => a.sentences.map((s) => s.text)),
      added: toEmbed.flatMap((a) => a.labels.sentences),
      removed: removedArticles.flatMap((a) => a.labels.sentences),
    };
    const chunkSet: PassageSet = {
      labels: stored.flatMap((a) => a.labels.chunks),
      vectors: stored.flatMap((a) => vectors.get(a.id)!.chunks),
      texts: stored.flatMap((a) => a.chunks.map((c) => chunkText(a, c))),
      added: toEmbed.flatMap((a) => a.labels.chunks),
      removed: removedArticles.flatMap((a) => a.labels.chunks),
    };
    const dimension = sentenceSet.vectors[0]?.length ?? embedder.dimension;

    buildDir = await createBuildDir(indexDir);
    await writeJson(buildDir, FILES.articles, stored);
    await writeVectors(buildDir, FILES.sentenceVectors, sentenceSet.vectors, dimension);
    await writeVectors(buildDir, FILES.chunkVectors, chunkSet.vectors, dimension);
    const counts = previous?.manifest.counts;
    await writeSearchIndexes(sentenceSet, dimension, { hnsw: FILES.sentenceHnsw, lexical: FILES.sentenceLexical }, buildDir,
      previous && { dir: previous.dir, size: counts!.sentences });
    await writeSearchIndexes(chunkSet, dimension, { hnsw: FILES.chunkHnsw, lexical: FILES.chunkLexical }, buildDir,
      previous && { dir: previous.dir, size: counts!.chunks });

    const manifest: Manifest = {
      formatVersion: FORMAT_VERSION,
      model: embedder.modelId,
      dimension,
      space: 'cosine',
      chunking,
      counts: { articles: stored.length, sentences: sentenceSet.labels.length, chunks: chunkSet.labels.length },
      articles: Object.fromEntries(stored.map((a) => [a.id, a.hash])),
      nextLabel,
      createdAt: new Date().toISOString(),
      buildSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    };
    await writeJson(buildDir, FILES.manifest, manifest); // written last: its presence marks a complete build
    await publishBuild(indexDir, buildDir);

    const current = new Set(stored.map((a) => a.id));
    return {
      articles: stored.length,
      sentences: sentenceSet.labels.length,
      chunks: chunkSet.labels.length,
      embedded: toEmbed.length,
      reused: reused.size,
      removed: [...(previous?.articles.keys() ?? [])].filter((id) => !current.has(id)).length,
      skipped,
      passagesEmbedded: passages.length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      model: embedder.modelId,
      buildDir,
    };
  } catch (error) {
    if (buildDir) await discardBuild(buildDir);
    throw error;
  } finally {
    await unlock();
  }
}

/** Articles in file-name order, as the corpus lists them. */
function byFile(previous: PreviousBuild | undefined, fresh: Map<string, Article>) {
  const file = (id: string) => fresh.get(id)?.file ?? previous!.articles.get(id)!.file;
  return (a: string, b: string) => (file(a) < file(b) ? -1 : file(a) > file(b) ? 1 : 0);
}

function toStored(article: Article, chunking: ChunkOptions, nextLabel: () => number): StoredArticle {
  const { text: _text, sentences, ...meta } = article;
  const chunks = chunkSentences(sentences.map((s) => s.text.length), chunking);
  return {
    ...meta,
    sentences,
    chunks,
    labels: { sentences: sentences.map(() => nextLabel()), chunks: chunks.map(() => nextLabel()) },
  };
}

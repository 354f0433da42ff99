import { access, constants, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Article } from '../corpus/article.js';
import { chunkSentences, type ChunkOptions } from '../corpus/chunks.js';
import { loadCorpus, type SkippedFile } from '../corpus/load.js';
import type { Embedder } from '../embedding/embedder.js';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import {
  createBuildDir,
  currentBuildDir,
  discardBuild,
  lockIndexDir,
  publishBuild,
} from './location.js';
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
  /** Embed every article again, even those whose vectors could be reused. */
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

/** The previous build's vectors per article, when they were made the same way as this build's. */
async function reusableVectors(
  indexDir: string,
  modelId: string,
  chunking: ChunkOptions,
): Promise<Map<string, ArticleVectors & { hash: string }>> {
  const reusable = new Map<string, ArticleVectors & { hash: string }>();
  const dir = await currentBuildDir(indexDir);
  if (!dir || !existsSync(join(dir, FILES.manifest))) return reusable;
  try {
    const manifest = await readJson<Manifest>(dir, FILES.manifest);
    const sameRecipe =
      manifest.formatVersion === FORMAT_VERSION &&
      manifest.model === modelId &&
      manifest.chunking.maxChars === chunking.maxChars &&
      manifest.chunking.overlap === chunking.overlap;
    if (!sameRecipe) return reusable;
    const articles = await readJson<StoredArticle[]>(dir, FILES.articles);
    const sentenceTable = await readVectors(dir, FILES.sentenceVectors, manifest.dimension);
    const chunkTable = await readVectors(dir, FILES.chunkVectors, manifest.dimension);
    let s = 0;
    let c = 0;
    for (const article of articles) {
      const sentences = article.sentences.map((_, i) => row(sentenceTable, s + i));
      const chunks = article.chunks.map((_, i) => row(chunkTable, c + i));
      reusable.set(article.id, { hash: article.hash, sentences, chunks });
      s += article.sentences.length;
      c += article.chunks.length;
    }
  } catch {
    // An unreadable previous build only means everything is embedded again.
    reusable.clear();
  }
  return reusable;
}

async function ensureWritable(indexDir: string): Promise<void> {
  try {
    await mkdir(indexDir, { recursive: true });
    await access(indexDir, constants.W_OK);
  } catch (error) {
    throw new IndexWriteError(`Cannot write the index to ${indexDir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/**
 * Builds the index for every article in `corpusDir` and publishes it in
 * `indexDir`. Articles unchanged since the previous build (same content hash,
 * same model and chunking) keep their vectors; only the others are embedded.
 * The previous index stays live until the new one is complete.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const { corpusDir, indexDir, embedder, chunking } = options;
  const { articles, skipped } = await loadCorpus(corpusDir);
  skipped.forEach((s) => options.onSkip?.(s));
  await ensureWritable(indexDir);
  const unlock = await lockIndexDir(indexDir);
  let buildDir: string | undefined;
  try {
    const previous = options.full ? new Map() : await reusableVectors(indexDir, embedder.modelId, chunking);
    const stored: StoredArticle[] = articles.map((a) => toStored(a, chunking));
    const toEmbed = stored.filter((a) => previous.get(a.id)?.hash !== a.hash);
    const passages = toEmbed.flatMap((a) => [...a.sentences.map((s) => s.text), ...a.chunks.map((c) => chunkText(a, c))]);

    options.onProgress?.(0, passages.length);
    const fresh = await embedder.embedPassages(passages, (done) => options.onProgress?.(done, passages.length));
    const vectors = new Map<string, ArticleVectors>();
    let next = 0;
    for (const a of toEmbed) {
      const sentences = fresh.slice(next, (next += a.sentences.length));
      const chunks = fresh.slice(next, (next += a.chunks.length));
      vectors.set(a.id, { sentences, chunks });
    }
    const sentenceVectors = stored.flatMap((a) => (vectors.get(a.id) ?? previous.get(a.id)!).sentences);
    const chunkVectors = stored.flatMap((a) => (vectors.get(a.id) ?? previous.get(a.id)!).chunks);
    const dimension = sentenceVectors[0]?.length ?? embedder.dimension;

    buildDir = await createBuildDir(indexDir);
    await writeJson(buildDir, FILES.articles, stored);
    await writeVectors(buildDir, FILES.sentenceVectors, sentenceVectors, dimension);
    await writeVectors(buildDir, FILES.chunkVectors, chunkVectors, dimension);
    HnswIndex.build(sentenceVectors, dimension).write(join(buildDir, FILES.sentenceHnsw));
    HnswIndex.build(chunkVectors, dimension).write(join(buildDir, FILES.chunkHnsw));
    const sentenceTexts = stored.flatMap((a) => a.sentences.map((s) => s.text));
    const chunkTexts = stored.flatMap((a) => a.chunks.map((c) => chunkText(a, c)));
    await writeJson(buildDir, FILES.sentenceLexical, JSON.parse(LexicalIndex.build(sentenceTexts).toJSON()));
    await writeJson(buildDir, FILES.chunkLexical, JSON.parse(LexicalIndex.build(chunkTexts).toJSON()));

    const seconds = (performance.now() - started) / 1000;
    const manifest: Manifest = {
      formatVersion: FORMAT_VERSION,
      model: embedder.modelId,
      dimension,
      space: 'cosine',
      chunking,
      counts: { articles: stored.length, sentences: sentenceVectors.length, chunks: chunkVectors.length },
      articles: Object.fromEntries(stored.map((a) => [a.id, a.hash])),
      createdAt: new Date().toISOString(),
      buildSeconds: Number(seconds.toFixed(3)),
    };
    await writeJson(buildDir, FILES.manifest, manifest); // written last: its presence marks a complete build
    await publishBuild(indexDir, buildDir);

    const current = new Set(stored.map((a) => a.id));
    return {
      articles: stored.length,
      sentences: sentenceVectors.length,
      chunks: chunkVectors.length,
      embedded: toEmbed.length,
      reused: stored.length - toEmbed.length,
      removed: [...previous.keys()].filter((id) => !current.has(id)).length,
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

function toStored(article: Article, chunking: ChunkOptions): StoredArticle {
  const { text: _text, sentences, ...meta } = article;
  return { ...meta, sentences, chunks: chunkSentences(sentences.map((s) => s.text.length), chunking) };
}

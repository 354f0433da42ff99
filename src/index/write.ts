import { join } from 'node:path';
import type { ChunkOptions } from '../corpus/chunks.js';
import type { Embedder } from '../embedding/embedder.js';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import type { ArticleVectors, BuildPlan, PlannedArticle } from './plan.js';
import { FILES, FORMAT_VERSION, type Manifest, type StoredArticle, writeJson, writeVectors } from './store.js';

/** One kind of passage (sentences or chunks) across the whole build. */
interface PassageSet {
  labels: number[];
  vectors: Float32Array[];
  /** Labels, vectors and texts of the passages new in this build. */
  added: { labels: number[]; vectors: Float32Array[]; texts: string[] };
  /** Labels of the previous build's passages that are gone. */
  removed: number[];
}

/** Gathers one kind of passage from every planned article. */
function passageSet(
  plan: BuildPlan,
  fresh: Map<PlannedArticle, ArticleVectors>,
  kind: 'sentences' | 'chunks',
): PassageSet {
  const set: PassageSet = { labels: [], vectors: [], added: { labels: [], vectors: [], texts: [] }, removed: [] };
  for (const article of plan.articles) {
    const labels = article.stored.labels[kind];
    const vectors = article.reused?.[kind] ?? fresh.get(article)?.[kind] ?? [];
    set.labels.push(...labels);
    set.vectors.push(...vectors);
    if (article.passages) {
      set.added.labels.push(...labels);
      set.added.vectors.push(...vectors);
      set.added.texts.push(...article.passages[kind]);
    }
  }
  set.removed = plan.removed.flatMap((a) => a.labels[kind]);
  return set;
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
  let hnsw: HnswIndex;
  let lexical: LexicalIndex;
  if (previous) {
    hnsw = HnswIndex.read(join(previous.dir, files.hnsw), dimension, { size: previous.size });
    hnsw.remove(set.removed);
    hnsw.add(set.added.vectors, set.added.labels);
    lexical = (await LexicalIndex.read(join(previous.dir, files.lexical))).update({
      removed: set.removed,
      added: { texts: set.added.texts, ids: set.added.labels },
      order: set.labels,
    });
  } else {
    hnsw = HnswIndex.build(set.vectors, dimension, { labels: set.labels });
    lexical = LexicalIndex.build(set.added.texts, set.added.labels);
  }
  hnsw.write(join(buildDir, files.hnsw));
  await lexical.write(join(buildDir, files.lexical));
}

/**
 * Writes a complete build into `buildDir`: the articles, both vector tables,
 * both HNSW graphs and BM25 indexes, and the manifest last (its presence
 * marks a complete build).
 */
export async function writeBuild(
  buildDir: string,
  plan: BuildPlan,
  fresh: Map<PlannedArticle, ArticleVectors>,
  { embedder, chunking, started }: { embedder: Embedder; chunking: ChunkOptions; started: number },
): Promise<{ sentences: number; chunks: number; passagesEmbedded: number }> {
  const stored: StoredArticle[] = plan.articles.map((a) => a.stored);
  const sentences = passageSet(plan, fresh, 'sentences');
  const chunks = passageSet(plan, fresh, 'chunks');
  const dimension = sentences.vectors[0]?.length ?? embedder.dimension;

  await writeJson(buildDir, FILES.articles, stored);
  await writeVectors(buildDir, FILES.sentenceVectors, sentences.vectors, dimension);
  await writeVectors(buildDir, FILES.chunkVectors, chunks.vectors, dimension);
  const { previous } = plan;
  const previousOf = (size: number) => previous && { dir: previous.dir, size };
  await writeSearchIndexes(
    sentences,
    dimension,
    { hnsw: FILES.sentenceHnsw, lexical: FILES.sentenceLexical },
    buildDir,
    previousOf(previous?.manifest.counts.sentences ?? 0),
  );
  await writeSearchIndexes(
    chunks,
    dimension,
    { hnsw: FILES.chunkHnsw, lexical: FILES.chunkLexical },
    buildDir,
    previousOf(previous?.manifest.counts.chunks ?? 0),
  );

  const counts = { articles: stored.length, sentences: sentences.labels.length, chunks: chunks.labels.length };
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    model: embedder.modelId,
    dimension,
    space: 'cosine',
    chunking,
    counts,
    articles: Object.fromEntries(stored.map((a) => [a.id, a.hash])),
    nextLabel: plan.nextLabel,
    createdAt: new Date().toISOString(),
    buildSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
  await writeJson(buildDir, FILES.manifest, manifest);
  return {
    sentences: counts.sentences,
    chunks: counts.chunks,
    passagesEmbedded: sentences.added.labels.length + chunks.added.labels.length,
  };
}

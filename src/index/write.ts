import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import type { ChunkOptions } from '../corpus/chunks.js';
import type { Embedder } from '../embedding/embedder.js';
import { finished, startWorker } from '../threads.js';
import type { ArticleVectors, BuildPlan, PlannedArticle } from './plan.js';
import { type SearchFilesJob, type SearchFilesTimings, writeSearchFiles } from './search-files.js';
import { FILES, FORMAT_VERSION, type Manifest, type StoredArticle, writeJson, writeTable } from './store.js';
import { recordFiles } from './verify.js';

/**
 * Passages from which the two kinds' HNSW graphs and BM25 indexes are
 * written in two worker threads at once (hnswlib-node adds points on the
 * calling thread only). Below it, starting the workers costs more than it
 * saves.
 */
export const PARALLEL_INDEX_MIN_PASSAGES = 20_000;

/** One kind of passage (sentences or chunks) across the whole build, vectors in one shared table. */
function passageSet(
  plan: BuildPlan,
  fresh: Map<PlannedArticle, ArticleVectors>,
  kind: 'sentences' | 'chunks',
  dimension: number,
): Pick<SearchFilesJob, 'table' | 'labels' | 'added' | 'removed'> {
  const labels = plan.articles.flatMap((a) => a.stored.labels[kind]);
  const table = new Float32Array(new SharedArrayBuffer(labels.length * dimension * 4));
  const added: SearchFilesJob['added'] = { rows: [], texts: [] };
  let row = 0;
  for (const article of plan.articles) {
    const vectors = article.reused?.[kind] ?? fresh.get(article)?.[kind] ?? [];
    for (const [i, vector] of vectors.entries()) {
      table.set(vector, (row + i) * dimension);
      if (article.passages) {
        added.rows.push(row + i);
        added.texts.push(article.passages[kind][i]);
      }
    }
    row += article.stored.labels[kind].length;
  }
  return { table, labels, added, removed: plan.removed.flatMap((a) => a.labels[kind]) };
}

/** Runs the jobs in worker threads at once, or one after the other on this thread. */
async function runSearchFileJobs(jobs: SearchFilesJob[], parallel: boolean): Promise<SearchFilesTimings[]> {
  if (!parallel) {
    const timings: SearchFilesTimings[] = [];
    for (const job of jobs) timings.push(await writeSearchFiles(job));
    return timings;
  }
  const module = new URL(`./search-files-worker${extname(import.meta.url)}`, import.meta.url);
  const workers = jobs.map((job) => startWorker(module, { ...job, table: job.table.buffer }));
  const results = workers.map(
    (worker) => new Promise<SearchFilesTimings>((resolve) => worker.once('message', resolve)),
  );
  try {
    await Promise.all(workers.map(finished));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return Promise.all(results);
}

/** Where a build's time went, in seconds (the two kinds of passage are indexed at the same time). */
export interface WriteTimings {
  /** Articles and vector tables. */
  store: number;
  /** Both kinds' graphs and BM25 indexes, wall time. */
  index: number;
  sentences: SearchFilesTimings;
  chunks: SearchFilesTimings;
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
  {
    embedder,
    chunking,
    started,
    parallelFrom = PARALLEL_INDEX_MIN_PASSAGES,
  }: { embedder: Embedder; chunking: ChunkOptions; started: number; parallelFrom?: number },
): Promise<{ sentences: number; chunks: number; passagesEmbedded: number; timings: WriteTimings }> {
  const stored: StoredArticle[] = plan.articles.map((a) => a.stored);
  const first = plan.articles[0];
  const dimension =
    (first?.reused?.sentences[0] ?? (first && fresh.get(first)?.sentences[0]))?.length ?? embedder.dimension;
  const sentences = passageSet(plan, fresh, 'sentences', dimension);
  const chunks = passageSet(plan, fresh, 'chunks', dimension);

  const { previous } = plan;
  const job = (
    set: typeof sentences,
    files: { hnsw: string; lexical: string },
    previousSize: number | undefined,
  ): SearchFilesJob => ({
    ...set,
    dimension,
    out: { hnsw: join(buildDir, files.hnsw), lexical: join(buildDir, files.lexical) },
    ...(previous && previousSize !== undefined
      ? {
          previous: {
            hnsw: join(previous.dir, files.hnsw),
            lexical: join(previous.dir, files.lexical),
            size: previousSize,
          },
        }
      : {}),
  });
  const jobs = [
    job(sentences, { hnsw: FILES.sentenceHnsw, lexical: FILES.sentenceLexical }, previous?.manifest.counts.sentences),
    job(chunks, { hnsw: FILES.chunkHnsw, lexical: FILES.chunkLexical }, previous?.manifest.counts.chunks),
  ];
  const parallel = availableParallelism() > 1 && sentences.added.rows.length + chunks.added.rows.length >= parallelFrom;
  const since = performance.now();
  const indexing = runSearchFileJobs(jobs, parallel);
  // The main thread writes the store meanwhile (after the indexing, when it runs on this thread).
  const storeStarted = performance.now();
  await writeJson(buildDir, FILES.articles, stored);
  await writeTable(buildDir, FILES.sentenceVectors, sentences.table);
  await writeTable(buildDir, FILES.chunkVectors, chunks.table);
  const store = (performance.now() - storeStarted) / 1000;
  const [sentenceTimings, chunkTimings] = await indexing;
  const index = (performance.now() - since) / 1000;

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
    files: await recordFiles(buildDir),
  };
  await writeJson(buildDir, FILES.manifest, manifest);
  return {
    sentences: counts.sentences,
    chunks: counts.chunks,
    passagesEmbedded: sentences.added.rows.length + chunks.added.rows.length,
    timings: { store, index, sentences: sentenceTimings, chunks: chunkTimings },
  };
}

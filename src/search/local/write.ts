import { copyFile, link } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import type { ChunkOptions } from '../../corpus/chunks.js';
import type { Embedder } from '../../embedding/embedder.js';
import { errnoCode } from '../../errors.js';
import { finished, startWorker } from '../../threads.js';
import type { ArticleVectors, BuildPlan, PlannedArticle, PreviousBuild } from './plan.js';
import { type SearchFilesJob, type SearchFilesTimings, writeSearchFiles } from './search-files.js';
import type { PartSources } from './sources.js';
import {
  ARTICLES_ENCODING,
  type Counts,
  FILES,
  FORMAT_VERSION,
  type Manifest,
  PART_FILES,
  partFile,
  rowsAdded,
  type StoredArticle,
  writeJson,
  writeJsonArray,
  writeTable,
} from './store.js';
import { recordFiles } from './verify.js';

/**
 * Passages from which the two kinds' HNSW graphs and BM25 indexes are
 * written in two worker threads at once (hnswlib-node adds points on the
 * calling thread only). Below it, starting the workers costs more than it
 * saves.
 */
export const PARALLEL_INDEX_MIN_PASSAGES = 20_000;

/**
 * How many passages a delta build may leave out of the graph files, to be
 * added when the build is opened (Manifest.pending). Adding a passage to
 * the graph of a 100,000-article archive takes about 0.3 ms, so opening
 * costs at most about a second more; a build past it reads the graphs,
 * adds them and writes the graphs whole (seconds at that size).
 */
export const MAX_PENDING_PASSAGES = 3_000;

/** The passages of one kind (sentences or chunks) of the part being written, vectors in one shared table. */
interface PassageSet {
  table: Float32Array;
  labels: number[];
  /** Each row's text fingerprint. */
  keys: Float64Array;
  /** How many rows were embedded in this build. */
  embedded: number;
  /** Rows added to the part's BM25 index, with their texts. */
  indexed: { rows: number[]; texts: string[] };
}

function passageSet(
  plan: BuildPlan,
  fresh: Map<PlannedArticle, ArticleVectors>,
  kind: 'sentences' | 'chunks',
  dimension: number,
): PassageSet {
  const labels = plan.articles.flatMap((a) => a.stored.labels[kind]);
  const keys = Float64Array.from(plan.articles.flatMap((a) => a.keys[kind]));
  const table = new Float32Array(new SharedArrayBuffer(labels.length * dimension * 4));
  let embedded = 0;
  const indexed: PassageSet['indexed'] = { rows: [], texts: [] };
  let row = 0;
  for (const article of plan.articles) {
    const vectors = article.reused?.[kind] ?? fresh.get(article)?.[kind] ?? [];
    for (const [i, vector] of vectors.entries()) {
      table.set(vector, (row + i) * dimension);
      if (!article.reused) embedded++;
      if (article.passages) {
        indexed.rows.push(row + i);
        indexed.texts.push(article.passages[kind][i]);
      }
    }
    row += article.stored.labels[kind].length;
  }
  return { table, labels, keys, embedded, indexed };
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

/** The records of the previous build's files that a new build takes over: its base part's, and its graphs if kept. */
function keptRecords(manifest: Manifest, graphs: boolean): Manifest['files'] {
  const kept: string[] = [...PART_FILES, ...(graphs ? [FILES.sentenceHnsw, FILES.chunkHnsw] : [])];
  return Object.fromEntries(Object.entries(manifest.files).filter(([name]) => kept.includes(name)));
}

/**
 * Hard-links files of the previous build into a new build folder: a
 * published build's files are never written again, so both builds can share
 * them. Copied where the file system has no hard links.
 */
async function linkFiles(previous: PreviousBuild, buildDir: string, records: Manifest['files']): Promise<void> {
  for (const name of Object.keys(records)) {
    const [from, to] = [join(previous.dir, name), join(buildDir, name)];
    await link(from, to).catch(async (error) => {
      if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes(errnoCode(error) ?? '')) throw error;
      await copyFile(from, to);
    });
  }
}

/**
 * Writes a complete build into `buildDir`: the part the plan says (the
 * whole build, or a delta beside the previous build's base, linked in), its
 * articles, both vector tables, both HNSW graphs and BM25 indexes, and the
 * manifest last (its presence marks a complete build).
 */
export async function writeBuild(
  buildDir: string,
  plan: BuildPlan,
  /** The embedded articles' vectors: copied into the build's tables, then emptied. */
  fresh: Map<PlannedArticle, ArticleVectors>,
  {
    embedder,
    chunking,
    sources,
    started,
    parallelFrom = PARALLEL_INDEX_MIN_PASSAGES,
    maxPending = MAX_PENDING_PASSAGES,
  }: {
    embedder: Embedder;
    chunking: ChunkOptions;
    /** The part's sources (its articles' hashes and files' stamps). */
    sources: PartSources;
    started: number;
    parallelFrom?: number;
    maxPending?: number;
  },
): Promise<{
  sentences: number;
  chunks: number;
  passagesEmbedded: number;
  /** Passages left to be added to the graphs when the build is opened (0: the graphs were written). */
  pending: number;
  timings: WriteTimings;
}> {
  const stored: StoredArticle[] = plan.articles.map((a) => a.stored);
  const first = plan.articles[0];
  const dimension =
    (first?.reused?.sentences[0] ?? (first && fresh.get(first)?.sentences[0]))?.length ??
    plan.previous?.manifest.dimension ??
    embedder.dimension;
  const sentences = passageSet(plan, fresh, 'sentences', dimension);
  const chunks = passageSet(plan, fresh, 'chunks', dimension);
  // The vectors are in the shared tables now: the embedder's own table (as large as these) can
  // go before the graphs grow, when a build's memory peaks.
  fresh.clear();
  const file = (name: string) => join(buildDir, partFile(plan.part, name));

  // The graphs are the build's: the previous build's, updated in place, or
  // (a delta build that adds few passages) the previous build's files, their
  // new passages added when the build is opened. The BM25 indexes are the
  // part's: a whole build updates the previous base's, a delta's are built anew.
  const { previous } = plan;
  // The graphs hold one entry per distinct text of each part (plan.graph). The previous graph files hold
  // the previous entries labelled below graphFrom (the others were pending): entries of the written part
  // not in them are added, in label order; those in them that the part no longer has are removed.
  const graphFrom = previous ? (previous.manifest.pending?.from ?? previous.manifest.nextLabel) : 0;
  const graphOf = (kind: 'sentences' | 'chunks', set: PassageSet) => {
    const { next, previous: before } = plan.graph;
    const inFiles = (label: number) => label < graphFrom && before[kind].has(label);
    return {
      added: rowsAdded(set.labels, (label) => next[kind].has(label) && !inFiles(label)),
      removed: [...before[kind]].filter((label) => inFiles(label) && !next[kind].has(label)),
    };
  };
  const graphs = { sentences: graphOf('sentences', sentences), chunks: graphOf('chunks', chunks) };
  const pending = graphs.sentences.added.length + graphs.chunks.added.length;
  // Kept when the files lose nothing and what they gain can be found again at open (pendingOf: the delta's
  // entries from graphFrom on).
  const keepGraphs =
    plan.part === 'delta' &&
    pending <= maxPending &&
    graphs.sentences.removed.length + graphs.chunks.removed.length === 0 &&
    [graphs.sentences.added.map((r) => sentences.labels[r]), graphs.chunks.added.map((r) => chunks.labels[r])]
      .flat()
      .every((label) => label >= graphFrom);
  const previousSizes = previous?.manifest.graphSizes ?? { sentences: 0, chunks: 0 };
  const graphSizes = keepGraphs
    ? previousSizes
    : {
        sentences: previousSizes.sentences - graphs.sentences.removed.length + graphs.sentences.added.length,
        chunks: previousSizes.chunks - graphs.chunks.removed.length + graphs.chunks.added.length,
      };
  const job = (
    set: PassageSet,
    files: { hnsw: string; lexical: string },
    kind: 'sentences' | 'chunks',
  ): SearchFilesJob => ({
    dimension,
    table: set.table,
    labels: set.labels,
    ...(keepGraphs
      ? {}
      : {
          hnsw: {
            ...graphs[kind],
            ...(previous
              ? {
                  previous: { file: join(previous.dir, files.hnsw), size: previous.manifest.graphSizes[kind] },
                }
              : {}),
            out: join(buildDir, files.hnsw),
          },
        }),
    lexical: {
      added: set.indexed,
      removed: plan.removedLabels.lexical[kind],
      ...(previous && plan.part === 'base' ? { previous: join(previous.dir, files.lexical) } : {}),
      out: file(files.lexical),
    },
  });
  const jobs: SearchFilesJob[] = [
    job(sentences, { hnsw: FILES.sentenceHnsw, lexical: FILES.sentenceLexical }, 'sentences'),
    job(chunks, { hnsw: FILES.chunkHnsw, lexical: FILES.chunkLexical }, 'chunks'),
  ];
  const linked = plan.part === 'delta' && previous ? keptRecords(previous.manifest, keepGraphs) : {};
  if (previous) await linkFiles(previous, buildDir, linked);
  // Reading and writing a large previous graph is work too: worth the threads.
  const work = keepGraphs ? 0 : pending + (previous?.manifest.counts.sentences ?? 0);
  const parallel = availableParallelism() > 1 && work >= parallelFrom;
  const since = performance.now();
  const indexing = runSearchFileJobs(jobs, parallel);
  // The main thread writes the store meanwhile (after the indexing, when it runs on this thread).
  const storing = (async () => {
    const storeStarted = performance.now();
    await writeJsonArray(buildDir, partFile(plan.part, FILES.articles), stored, { encoding: ARTICLES_ENCODING });
    await sources.write(buildDir, plan.part);
    await writeTable(buildDir, partFile(plan.part, FILES.sentenceVectors), sentences.table);
    await writeTable(buildDir, partFile(plan.part, FILES.chunkVectors), chunks.table);
    await writeTable(buildDir, partFile(plan.part, FILES.sentenceKeys), sentences.keys);
    await writeTable(buildDir, partFile(plan.part, FILES.chunkKeys), chunks.keys);
    return (performance.now() - storeStarted) / 1000;
  })();
  // Both settle before either's failure is reported (a full disk fails both): nothing is left
  // writing into a build folder that is being discarded, and no failure goes unhandled.
  const [indexed, stores] = await Promise.allSettled([indexing, storing]);
  if (indexed.status === 'rejected') throw indexed.reason;
  if (stores.status === 'rejected') throw stores.reason;
  const [sentenceTimings, chunkTimings] = indexed.value;
  const store = stores.value;
  const index = (performance.now() - since) / 1000;

  const written: Counts = { articles: stored.length, sentences: sentences.labels.length, chunks: chunks.labels.length };
  const kept = plan.keptBase;
  const counts: Counts = kept
    ? {
        articles: kept.articles + written.articles,
        sentences: kept.sentences + written.sentences,
        chunks: kept.chunks + written.chunks,
      }
    : written;
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    model: embedder.modelId,
    dimension,
    space: 'cosine',
    chunking,
    counts,
    ...(plan.part === 'delta' ? { delta: written } : {}),
    nextLabel: plan.nextLabel,
    ...(keepGraphs && pending > 0
      ? {
          pending: {
            from: graphFrom,
            sentences: graphs.sentences.added.length,
            chunks: graphs.chunks.added.length,
          },
        }
      : {}),
    graphSizes,
    createdAt: new Date().toISOString(),
    buildSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    // Linked files are the previous build's, checked when it was read: their records carry over.
    files: await recordFiles(buildDir, linked),
  };
  await writeJson(buildDir, FILES.manifest, manifest);
  return {
    sentences: counts.sentences,
    chunks: counts.chunks,
    passagesEmbedded: sentences.embedded + chunks.embedded,
    pending: keepGraphs ? pending : 0,
    timings: { store, index, sentences: sentenceTimings, chunks: chunkTimings },
  };
}

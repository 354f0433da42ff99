import { access, constants, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CorpusListing, type LoadedCorpus, listCorpus, loadCorpus } from '../../corpus/load.js';
import type { Embedder, EmbedderTimings } from '../../embedding/embedder.js';
import { errnoCode, UserError } from '../../errors.js';
import { type EngineBuildOptions, type EngineBuildReport, IndexShrinkError } from '../engine.js';
import { createBuildDir, currentBuildDir, discardBuild, lockIndexDir, publishBuild } from './location.js';
import {
  type ArticleVectors,
  type BuildPlan,
  type PlannedArticle,
  type PreviousBuild,
  planBuild,
  readPreviousBuild,
} from './plan.js';
import type { SearchFilesTimings } from './search-files.js';
import { PartSources, type SourceRow } from './sources.js';
import type { PartName } from './store.js';
import { writeBuild } from './write.js';

/** The engine's build options, and where the local engine writes and how it splits the work. */
export interface BuildOptions extends EngineBuildOptions {
  corpusDir: string;
  indexDir: string;
  /** Passages from which both kinds are indexed in worker threads at once (default: PARALLEL_INDEX_MIN_PASSAGES). */
  parallelFrom?: number;
  /** How large the delta may grow, as a share of the base's articles, before the whole build is written (default: MAX_DELTA_SHARE). */
  maxDeltaShare?: number;
  /** How many of the delta's passages may wait to be added to the graphs when the build is opened, rather than the graphs be written (default: MAX_PENDING_PASSAGES). */
  maxPending?: number;
}

/** Where a build's time went, in seconds. */
export interface BuildPhases {
  /** Listing, reading and parsing the corpus (and the previous build, if any). */
  read: number;
  /** Sentences split into chunks, labels given. */
  plan: number;
  /** Embedding, wall time; `embedding` splits it by step, summed over threads. */
  embed: number;
  embedding?: EmbedderTimings;
  /** Writing the articles and vector tables, while the search indexes are written. */
  store: number;
  /** Both kinds' HNSW graphs and BM25 indexes, wall time (in parallel when large). */
  index: number;
  /** Per kind: HNSW insertion, BM25 analysis and indexing, writing both files. */
  sentences: SearchFilesTimings;
  chunks: SearchFilesTimings;
}

/** What a build did: the figures every engine reports (LocalEngine adds the version and note), and the local index's own. */
export interface BuildReport extends Omit<EngineBuildReport, 'version' | 'note'> {
  /** What was written: the whole build (`base`), or a delta beside the previous build's base. */
  part: PartName;
  /** Passages that the graph files do not hold, added when the build is opened (0: the graphs were written). */
  pending: number;
  phases: BuildPhases;
  buildDir: string;
}

/** The index cannot be written (unwritable folder, full disk); the previous index stays live. */
export class IndexWriteError extends UserError {
  override readonly name = 'IndexWriteError';

  constructor(
    readonly indexDir: string,
    /** The file system's error code (EACCES, ENOSPC, …). */
    readonly code: string,
  ) {
    const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : `${code}`;
    super(
      `Cannot write the index to ${indexDir}: ${why}. The previous index stays live; fix this and run npm run index again.`,
    );
  }
}

/** Articles in the published build (0 when there is none, or it cannot be read). */
async function publishedArticles(indexDir: string): Promise<number> {
  try {
    const dir = await currentBuildDir(indexDir);
    if (!dir) return 0;
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      counts?: { articles?: number };
    };
    return manifest.counts?.articles ?? 0;
  } catch {
    return 0;
  }
}

/** Errors of the file system that a user fixes (space, permissions), as opposed to bugs. */
const WRITE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

async function ensureWritable(indexDir: string): Promise<void> {
  try {
    await mkdir(indexDir, { recursive: true });
    await access(indexDir, constants.W_OK);
  } catch (error) {
    throw new IndexWriteError(indexDir, errnoCode(error) ?? String(error));
  }
}

/** Embeds the passages of the articles that need it, in one run so batches stay full. */
async function embedArticles(
  plan: BuildPlan,
  embedder: Embedder,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<PlannedArticle, ArticleVectors>> {
  const fresh = plan.articles.filter((a) => !a.reused);
  const texts = fresh.flatMap((a) => [...a.passages.sentences, ...a.passages.chunks]);
  onProgress?.(0, texts.length);
  const vectors = await embedder.embedPassages(texts, (done) => onProgress?.(done, texts.length));
  const byArticle = new Map<PlannedArticle, ArticleVectors>();
  let next = 0;
  for (const article of fresh) {
    const sentencesEnd = next + article.passages.sentences.length;
    const chunksEnd = sentencesEnd + article.passages.chunks.length;
    byArticle.set(article, {
      sentences: vectors.slice(next, sentencesEnd),
      chunks: vectors.slice(sentencesEnd, chunksEnd),
    });
    next = chunksEnd;
  }
  return byArticle;
}

/**
 * The sources of the part a build writes: each of its articles' hash, file
 * and stamp when listed (a file without one would only be read again next
 * time). A delta's also keeps the new stamps of base files read again and
 * found unchanged (touched), looked at before the base's, so that the next
 * build need not read them.
 */
function partSources(
  plan: BuildPlan,
  corpus: LoadedCorpus,
  listing: CorpusListing,
  previous: PreviousBuild | undefined,
): PartSources {
  const stampOf = (file: string) => {
    const stamp = listing.stamps.get(file);
    return stamp ? { stamp: [stamp.bytes, stamp.mtimeMs] as const } : {};
  };
  const rows: SourceRow[] = plan.articles.map(({ stored }) => ({
    id: stored.id,
    hash: stored.hash,
    file: stored.file,
    ...stampOf(stored.file),
  }));
  if (plan.part === 'delta' && previous) {
    const inPart = new Set(rows.map((row) => row.file));
    for (const [id, file] of corpus.files) {
      const [was, now] = [previous.stamps.get(file), listing.stamps.get(file)];
      const touched = was && now && (was[0] !== now.bytes || was[1] !== now.mtimeMs);
      if (touched && !inPart.has(file) && corpus.unchanged.has(id))
        rows.push({ id, hash: previous.hashes.get(id) as string, file, ...stampOf(file) });
    }
  }
  return PartSources.of(rows);
}

/**
 * Builds the index for every article in `corpusDir` and publishes it in
 * `indexDir`: plan (what changed since the live build), embed (only that),
 * write (a new build folder), publish (switch `CURRENT` to it). Articles
 * unchanged since the previous build (same file stamp or content hash, model
 * and chunking) keep their vectors and their places in the HNSW and BM25
 * indexes. A build that only adds articles writes them as a delta beside the
 * previous base, whose files it hard-links; otherwise the base's search
 * indexes are updated in place into a new whole build. The previous index
 * stays live until the new one is complete, and stays live if anything fails.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  /** Seconds since the start, then since the last lap. */
  const stopwatch = () => {
    let last = started;
    return () => {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return seconds;
    };
  };
  const { corpusDir, indexDir, embedder, chunking } = options;
  // The live build is read while the corpus is listed (its I/O waits overlap the listing's
  // stat calls: a quarter of a second at 100,000 articles). A published build's folder never
  // changes, so under the lock the read is kept if that build is still the live one.
  const early = options.full ? undefined : readPreviousBuild(indexDir, embedder.modelId, chunking);
  early?.catch(() => undefined); // awaited below, or dropped if the listing fails
  const listing = await listCorpus(corpusDir, { maxBytes: options.maxArticleBytes });
  await ensureWritable(indexDir);
  const unlock = await lockIndexDir(indexDir);
  let buildDir: string | undefined;
  try {
    const previous = options.full
      ? { build: undefined, reason: undefined }
      : await stillLive(indexDir, early).then(
          (read) => read ?? readPreviousBuild(indexDir, embedder.modelId, chunking),
        );
    const corpus = await loadCorpus(corpusDir, {
      files: listing,
      known: previous.build?.hashes,
      knownStamps: previous.build?.stamps,
      maxBytes: options.maxArticleBytes,
    });
    for (const skipped of corpus.skipped) options.onSkip?.(skipped);
    const lap = stopwatch();
    const read = lap();
    const plan = await planBuild(corpus, previous.build, chunking, { maxDeltaShare: options.maxDeltaShare });
    const planned = lap();
    // A corpus gone unreadable (re-encoded, a wrong mount) must not replace a good index with an empty one.
    const published = options.allowShrink ? 0 : await publishedArticles(indexDir);
    const remaining = (plan.keptBase?.articles ?? 0) + plan.articles.length;
    if (remaining < published / 2) throw new IndexShrinkError(corpusDir, published, remaining, corpus.skipped.length);

    const spentBefore = embedder.spent && { ...embedder.spent };
    const vectors = await embedArticles(plan, embedder, options.onProgress);
    const embed = lap();
    const embedding =
      spentBefore && embedder.spent
        ? {
            tokenize: embedder.spent.tokenize - spentBefore.tokenize,
            model: embedder.spent.model - spentBefore.model,
            pool: embedder.spent.pool - spentBefore.pool,
          }
        : undefined;

    buildDir = await createBuildDir(indexDir);
    const sources = partSources(plan, corpus, listing, previous.build);
    const articles = (plan.keptBase?.articles ?? 0) + plan.articles.length;
    const embedded = vectors.size;
    const counts = await writeBuild(buildDir, plan, vectors, {
      embedder,
      chunking,
      sources,
      started,
      parallelFrom: options.parallelFrom,
      maxPending: options.maxPending,
    });
    await publishBuild(indexDir, buildDir);
    const { store, index, sentences, chunks } = counts.timings;

    return {
      articles,
      sentences: counts.sentences,
      chunks: counts.chunks,
      embedded,
      reused: articles - embedded,
      removed: plan.removed,
      part: plan.part,
      pending: counts.pending,
      skipped: corpus.skipped,
      passagesEmbedded: counts.passagesEmbedded,
      ...(previous.reason ? { fullRebuildReason: previous.reason } : {}),
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      phases: { read, plan: planned, embed, ...(embedding ? { embedding } : {}), store, index, sentences, chunks },
      model: embedder.modelId,
      buildDir,
    };
  } catch (error) {
    if (buildDir) await discardBuild(buildDir);
    const code = errnoCode(error);
    if (code && WRITE_ERRORS.has(code)) throw new IndexWriteError(indexDir, code);
    throw error;
  } finally {
    await unlock();
  }
}

/** A read of the live build, if it found one that is live still (another build may have been published since). */
async function stillLive(
  indexDir: string,
  read: ReturnType<typeof readPreviousBuild> | undefined,
): Promise<Awaited<ReturnType<typeof readPreviousBuild>> | undefined> {
  const result = await read?.catch(() => undefined);
  return result?.build && result.build.dir === (await currentBuildDir(indexDir).catch(() => null)) ? result : undefined;
}

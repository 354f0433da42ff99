import type { Article } from '../corpus/article.js';
import { type ChunkOptions, chunkSentences } from '../corpus/chunks.js';
import type { LoadedCorpus } from '../corpus/load.js';
import { currentBuildDir } from './location.js';
import { chunkText } from './passages.js';
import {
  FILES,
  FORMAT_VERSION,
  type Manifest,
  readJson,
  readVectors,
  row,
  type StoredArticle,
  type VectorTable,
} from './store.js';
import { IndexDamagedError, verifyBuild } from './verify.js';

/** The live build, when it was made the same way as the next one and can be updated in place. */
export interface PreviousBuild {
  dir: string;
  manifest: Manifest;
  articles: Map<string, StoredArticle>;
  /** Content hash per article id: files with the same hash are not read again. */
  hashes: Map<string, string>;
  sentenceVectors: VectorTable;
  chunkVectors: VectorTable;
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

/** An article of the next build: taken over with its vectors, or new (its passages to embed). */
export type PlannedArticle =
  | { stored: StoredArticle; reused: ArticleVectors; passages?: undefined }
  | { stored: StoredArticle; reused?: undefined; passages: PassageTexts };

export interface BuildPlan {
  /** Every article of the next build, in file-name order. */
  articles: PlannedArticle[];
  /** Articles of the previous build that are not in the next one as they were. */
  removed: StoredArticle[];
  /** The build updated in place, if any. */
  previous?: PreviousBuild;
  /** The next free passage label once the new passages have theirs. */
  nextLabel: number;
}

/**
 * Reads the live build if the next build can update it: same format, model
 * and chunking, and readable. Otherwise says why everything must be built
 * again (no reason when there is no build yet).
 */
export async function readPreviousBuild(
  indexDir: string,
  modelId: string,
  chunking: ChunkOptions,
): Promise<{ build?: PreviousBuild; reason?: string }> {
  const dir = await currentBuildDir(indexDir);
  if (!dir) return {};
  let manifest: Manifest;
  try {
    manifest = await verifyBuild(dir, [FILES.articles, FILES.sentenceVectors, FILES.chunkVectors]);
  } catch (error) {
    const why =
      error instanceof IndexDamagedError ? `${error.file} ${error.problem}` : (error as Error).message.split('\n')[0];
    return { reason: `the live build is damaged (${why})` };
  }
  if (manifest.formatVersion !== FORMAT_VERSION)
    return { reason: `the live build has format ${manifest.formatVersion}` };
  if (manifest.model !== modelId) return { reason: `the live build was made with ${manifest.model}` };
  if (manifest.chunking.maxChars !== chunking.maxChars || manifest.chunking.overlap !== chunking.overlap) {
    return { reason: 'the live build was chunked differently' };
  }
  try {
    const stored = await readJson<StoredArticle[]>(dir, FILES.articles);
    const articles = new Map(stored.map((a) => [a.id, a]));
    const offsets = new Map<string, { sentence: number; chunk: number }>();
    let sentence = 0;
    let chunk = 0;
    for (const a of stored) {
      offsets.set(a.id, { sentence, chunk });
      sentence += a.sentences.length;
      chunk += a.chunks.length;
    }
    return {
      build: {
        dir,
        manifest,
        articles,
        hashes: new Map(stored.map((a) => [a.id, a.hash])),
        sentenceVectors: await readVectors(dir, FILES.sentenceVectors, manifest.dimension),
        chunkVectors: await readVectors(dir, FILES.chunkVectors, manifest.dimension),
        offsets,
      },
    };
  } catch (error) {
    return { reason: `the live build cannot be read (${(error as Error).message.split('\n')[0]})` };
  }
}

/** An unchanged article's vectors, as views into the previous build's tables. */
function reusedVectors(previous: PreviousBuild, article: StoredArticle): ArticleVectors {
  const start = previous.offsets.get(article.id) ?? { sentence: 0, chunk: 0 };
  return {
    sentences: article.sentences.map((_, i) => row(previous.sentenceVectors, start.sentence + i)),
    chunks: article.chunks.map((_, i) => row(previous.chunkVectors, start.chunk + i)),
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

/**
 * Decides what the next build holds: unchanged articles taken over with
 * their vectors and labels, new and changed ones with new labels and the
 * texts to embed, and the previous build's articles that are gone.
 */
export function planBuild(
  corpus: LoadedCorpus,
  previous: PreviousBuild | undefined,
  chunking: ChunkOptions,
): BuildPlan {
  let nextLabel = previous?.manifest.nextLabel ?? 0;
  const label = () => nextLabel++;
  const articles: (PlannedArticle & { file: string })[] = [];
  for (const id of corpus.unchanged) {
    const stored = previous?.articles.get(id);
    if (stored) articles.push({ stored, reused: reusedVectors(previous as PreviousBuild, stored), file: stored.file });
  }
  for (const article of corpus.articles) {
    const stored = toStored(article, chunking, label);
    const passages = {
      sentences: stored.sentences.map((s) => s.text),
      chunks: stored.chunks.map((c) => chunkText(stored, c)),
    };
    articles.push({ stored, passages, file: article.file });
  }
  articles.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const removed = [...(previous?.articles.values() ?? [])].filter((a) => !corpus.unchanged.has(a.id));
  return { articles, removed, previous, nextLabel };
}

import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveService } from '../../src/answering/archive.js';
import { AnswerService } from '../../src/answering/service.js';
import { createEmbedder, type Embedder } from '../../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../../src/embedding/models.js';
import { buildIndex } from '../../src/search/local/build.js';
import { LocalEngine } from '../../src/search/local/engine.js';
import { type LocalIndex, openIndex } from '../../src/search/local/local-index.js';
import type { IndexedSentence, SearchIndex } from '../../src/search/search-index.js';
import { CORPUS_DIR, TEST_TMP, TINY_MODEL, TINY_MODELS_DIR } from './paths.js';

export const CHUNKING = { maxChars: 600, overlap: 1 };

/** A fresh folder under test/.tmp. */
export function tempDir(prefix: string): string {
  mkdirSync(TEST_TMP, { recursive: true });
  return mkdtempSync(join(TEST_TMP, `${prefix}-`));
}

/** A copy of the seed corpus that a test may change. */
export function copyCorpus(): string {
  const dir = join(tempDir('corpus'), 'corpus');
  cpSync(CORPUS_DIR, dir, { recursive: true });
  return dir;
}

/** Environment for child processes: the tiny model, offline. */
export function tinyModelEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EMBEDDING_MODEL: TINY_MODEL,
    MODELS_DIR: TINY_MODELS_DIR,
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** Environment for child processes as on a fresh machine: no model settings, so the built-in model; no network. */
export function builtInModelEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { EMBEDDING_MODEL: _model, MODELS_DIR: _dir, ...env } = process.env;
  return {
    ...env,
    MODELS_DIR: join(tempDir('no-models'), 'models'),
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

let tiny: Promise<Embedder> | undefined;

/** The tiny test model, loaded through the real transformers.js pipeline. */
export function tinyEmbedder(): Promise<Embedder> {
  tiny ??= createEmbedder({ model: TINY_MODEL, modelsDir: TINY_MODELS_DIR, allowRemoteModels: false, batchSize: 16 });
  return tiny;
}

let builtIn: Promise<Embedder> | undefined;

/** The model that ships with the project, as a fresh clone finds it. */
export function builtInEmbedder(): Promise<Embedder> {
  builtIn ??= createEmbedder({
    model: BUILT_IN_MODEL,
    modelsDir: BUILT_IN_MODELS_DIR,
    allowRemoteModels: false,
    batchSize: 32,
  });
  return builtIn;
}

/** Builds the seed corpus with `embedder` into a fresh folder and opens it. */
export async function seedIndex(embedder: Embedder): Promise<{ index: LocalIndex; indexDir: string }> {
  const indexDir = join(tempDir('index'), 'embeddings');
  await buildIndex({ corpusDir: CORPUS_DIR, indexDir, embedder, chunking: CHUNKING });
  return { index: await openIndex(indexDir), indexDir };
}

/** A copy of the seed corpus that a test may change, built with the tiny model into a fresh index folder. */
export async function indexedCopy(prefix = 'index'): Promise<{ corpus: string; indexDir: string }> {
  const corpus = copyCorpus();
  const indexDir = join(tempDir(prefix), 'embeddings');
  await buildIndex({ corpusDir: corpus, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING });
  return { corpus, indexDir };
}

/** The answer service over an index, as the bot and `ask` open it. */
export function openService(indexDir: string, embedder: Embedder, minSimilarity?: number): Promise<AnswerService> {
  return AnswerService.open({ engine: LocalEngine.fromFolder(indexDir), embedder, minSimilarity });
}

/** The archive editors change (articles added, removed, the index rebuilt), as the bot opens it. */
export function openArchive(
  corpusDir: string,
  service: AnswerService,
  embedder: Embedder,
  maxArticleBytes = 64 * 1024,
): ArchiveService {
  return new ArchiveService({ corpusDir, embedder, chunking: CHUNKING, maxArticleBytes, service });
}

/** One sentence of an index (undefined outside it). */
export async function sentenceAt(index: SearchIndex, id: number): Promise<IndexedSentence | undefined> {
  return (await index.sentences([id]))[0];
}

import { cpSync, mkdtempSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder, type Embedder } from '../../src/embedding/embedder.js';
import { buildIndex } from '../../src/index/build.js';
import { openIndex, type SearchIndex } from '../../src/index/open.js';
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

let tiny: Promise<Embedder> | undefined;

/** The tiny test model, loaded through the real transformers.js pipeline. */
export function tinyEmbedder(): Promise<Embedder> {
  tiny ??= createEmbedder({ model: TINY_MODEL, modelsDir: TINY_MODELS_DIR, allowRemoteModels: false, batchSize: 16 });
  return tiny;
}

/** Builds the seed corpus with `embedder` into a fresh folder and opens it. */
export async function seedIndex(embedder: Embedder): Promise<{ index: SearchIndex; indexDir: string }> {
  const indexDir = join(tempDir('index'), 'embeddings');
  await buildIndex({ corpusDir: CORPUS_DIR, indexDir, embedder, chunking: CHUNKING });
  return { index: await openIndex(indexDir), indexDir };
}

import type { Config } from '../config.js';
import { createEmbedder, type Embedder } from '../embedding/embedder.js';
import { openIndex } from '../index/open.js';
import { Answerer, defaultThresholds } from './answer.js';

export class ModelMismatchError extends Error {}

/**
 * Opens the index and checks that it was built with the configured model:
 * vectors of two different models cannot be compared.
 */
export async function openAnswerer(indexDir: string, embedder: Embedder, minSimilarity?: number): Promise<Answerer> {
  const index = await openIndex(indexDir);
  if (index.manifest.model !== embedder.modelId) {
    throw new ModelMismatchError(
      `The index in ${indexDir} was built with "${index.manifest.model}", but EMBEDDING_MODEL is "${embedder.modelId}". ` +
        'Rebuild it with: npm run index (or set EMBEDDING_MODEL to the index\'s model).',
    );
  }
  const thresholds = defaultThresholds(index.manifest.model);
  if (minSimilarity !== undefined) thresholds.similarity = minSimilarity;
  return new Answerer(index, embedder, { thresholds });
}

/** Loads the configured model and the index: what `ask`, the bot and the console chat start with. */
export async function loadAnswerer(config: Config, indexDir = config.indexDir): Promise<Answerer> {
  return openAnswerer(indexDir, await createEmbedder(config.embedding), config.minSimilarity);
}

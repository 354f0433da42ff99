import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@xenova/transformers';

/** Turns text into unit-length vectors; the only thing the index and retrieval know of models. */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /** Vectors for article passages (sentences, chunks), in input order. */
  embedPassages(texts: string[], onBatch?: (done: number) => void): Promise<Float32Array[]>;
  /** The vector for a user's question. */
  embedQuery(text: string): Promise<Float32Array>;
}

export interface EmbedderOptions {
  model: string;
  modelsDir: string;
  allowRemoteModels: boolean;
  batchSize: number;
}

export class ModelNotFoundError extends Error {}

/** e5 models were trained with these prefixes and rank worse without them. */
export function usesE5Prefixes(modelId: string): boolean {
  return /(^|[/_-])e5([_-]|$)/i.test(modelId);
}

/**
 * Loads a feature-extraction model with transformers.js: from `modelsDir`
 * first, and, when `allowRemoteModels` is on, downloaded once into it.
 *
 * @throws ModelNotFoundError naming the folder searched.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { model, modelsDir, allowRemoteModels, batchSize } = options;
  const localPath = join(modelsDir, model);
  if (!allowRemoteModels && !existsSync(join(localPath, 'config.json'))) {
    throw new ModelNotFoundError(
      `Embedding model "${model}" not found: looked in ${localPath}. ` +
        'Put the model there (transformers.js layout) or set ALLOW_REMOTE_MODELS=true to download it once.',
    );
  }
  env.localModelPath = modelsDir;
  env.cacheDir = modelsDir; // a downloaded model lands where the next run looks for it
  env.allowLocalModels = true;
  env.allowRemoteModels = allowRemoteModels;

  let extractor: FeatureExtractionPipeline;
  try {
    extractor = (await pipeline('feature-extraction', model)) as FeatureExtractionPipeline;
  } catch (error) {
    throw new ModelNotFoundError(
      `Could not load embedding model "${model}" (looked in ${localPath}` +
        `${allowRemoteModels ? ', then the Hugging Face hub' : ''}): ${(error as Error).message}`,
    );
  }
  const embedder = new TransformersEmbedder(model, extractor, batchSize, usesE5Prefixes(model));
  await embedder.embedQuery('.'); // learns the dimension
  return embedder;
}

class TransformersEmbedder implements Embedder {
  dimension = 0;

  constructor(
    readonly modelId: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
    private readonly e5: boolean,
  ) {}

  async embedPassages(texts: string[], onBatch?: (done: number) => void): Promise<Float32Array[]> {
    const prefix = this.e5 ? 'passage: ' : '';
    // Batch passages of similar length together: a batch is padded to its
    // longest text, so mixing short and long ones wastes most of the work.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
    const vectors: Float32Array[] = new Array(texts.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const batch = order.slice(i, i + this.batchSize);
      const embedded = await this.run(batch.map((j) => prefix + texts[j]));
      batch.forEach((j, k) => (vectors[j] = embedded[k]));
      onBatch?.(Math.min(i + this.batchSize, texts.length));
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.run([(this.e5 ? 'query: ' : '') + text]);
    return vector;
  }

  private async run(texts: string[]): Promise<Float32Array[]> {
    const output = await this.extractor(texts, { pooling: 'mean', normalize: true });
    const [rows, dim] = output.dims as [number, number];
    this.dimension = dim;
    const data = output.data as Float32Array;
    // A text made only of unknown tokens pools to 0/0: store it as a zero vector.
    return Array.from({ length: rows }, (_, r) => data.slice(r * dim, (r + 1) * dim).map((x) => (Number.isNaN(x) ? 0 : x)));
  }
}

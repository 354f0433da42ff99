import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { env, type FeatureExtractionPipeline, pipeline, Tensor } from '@xenova/transformers';
import { UserError } from '../errors.js';
import { exited, startProcess } from '../threads.js';
import { FastTokenizer } from './fast-tokenizer.js';
import { BUILT_IN_MODEL, DEFAULT_HUB_URL, findModel, type ModelCard, modelFolders, readModelCard } from './models.js';

/** Turns text into unit-length vectors; the only thing the index and retrieval know of models. */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /** Languages the model reads (see ModelCard); undefined: any. */
  readonly languages?: readonly string[];
  /** Vectors for article passages (sentences, chunks), in input order. */
  embedPassages(texts: string[], onBatch?: (done: number) => void): Promise<Float32Array[]>;
  /** The vector for a user's question. */
  embedQuery(text: string): Promise<Float32Array>;
  /**
   * Words' tokens and their vectors, for a static model only (see
   * ModelCard.static; undefined otherwise: a contextual model's token vectors
   * depend on the whole text). The rerank aligns a question's words with a
   * sentence's through them (src/answering/alignment.ts).
   */
  tokens?(words: readonly string[]): Promise<TokenTable>;
  /** Seconds spent so far in each step, summed over threads (for benchmarks; optional). */
  readonly spent?: EmbedderTimings;
}

/**
 * A static model's rows: row `id` is `rows[id * dimension …]` times
 * `scales[id]`, unit length (scale 0: not loaded).
 */
export interface TokenRows {
  dimension: number;
  rows: Int8Array;
  scales: Float32Array;
  /** Ids whose row is zero (special tokens). */
  empty: Set<number>;
}

/** Words as a static model's token ids, and the rows they need (loaded). */
export interface TokenTable extends TokenRows {
  /** Each word's ids, in the order of the words asked. */
  ids: number[][];
}

/** What embed-worker.ts is sent: its share of the passages. */
export interface EmbedJob {
  options: EmbedderOptions;
  /** Batches of passages of similar lengths, one after the other. */
  sizes: number[];
  texts: string[];
  /** Where its vectors go, in the order of the texts. */
  file: string;
}

/** What embed-worker.ts reports: passages done since its last message; last, once its file is complete, the time spent. */
export type EmbedMessage = { done: number } | { spent: EmbedderTimings | undefined };

/** Where embedding time goes: the tokenizer, the model, pooling and normalization. */
export interface EmbedderTimings {
  tokenize: number;
  model: number;
  pool: number;
}

/** How a model file is coming along while it is downloaded. */
export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface EmbedderOptions {
  /** A model id: the built-in one, a folder under `modelsDir`, or a hub id such as Xenova/multilingual-e5-small. */
  model: string;
  /** Where models are looked for first, and where a downloaded one is kept. */
  modelsDir: string;
  /** May a model that is on no disk be downloaded (once, into `modelsDir`)? */
  allowRemoteModels: boolean;
  /** The hub to download from (default: huggingface.co). */
  hubUrl?: string;
  /** Passages embedded per batch. */
  batchSize: number;
  /**
   * Worker threads that embed a large set of passages (default: one per
   * core). Each loads the model; a set smaller than PARALLEL_MIN_PASSAGES
   * is embedded on the calling thread.
   */
  threads?: number;
  /** Called as a model's files are downloaded. */
  onDownload?: (progress: DownloadProgress) => void;
}

/** The configured model is on no disk and could not be downloaded. */
export class ModelNotFoundError extends UserError {
  override readonly name = 'ModelNotFoundError';

  constructor(
    readonly model: string,
    /** The folders searched, in order. */
    readonly searched: string[],
    /** Why the download failed; undefined when downloads are off. */
    readonly downloadError?: string,
  ) {
    const where = searched.map((dir) => join(dir, model)).join(' or ');
    const tried =
      downloadError === undefined
        ? 'downloads are off (ALLOW_REMOTE_MODELS=false)'
        : `the download failed (${downloadError})`;
    const fallback =
      model === BUILT_IN_MODEL
        ? 'Restore models/ from the repository (git checkout -- models).'
        : `Fetch it where the hub is reachable (npm run fetch-model -- ${model}) and copy MODELS_DIR here, or use the built-in Arabic model: remove EMBEDDING_MODEL from .env (or set EMBEDDING_MODEL=${BUILT_IN_MODEL}).`;
    super(`Embedding model "${model}" is not in ${where} and ${tried}. ${fallback}`);
  }
}

/**
 * Words whose token ids `tokens` remembers (about 100 bytes a word: 10 MB at
 * most); past this many, a new word is tokenized at each use.
 */
export const ALIGNED_WORDS = 100_000;

/**
 * Passages below which embedPassages stays on the calling thread: starting
 * a worker (and loading the model in it) costs about half a second, the
 * time to embed a few thousand passages with the built-in model.
 */
export const PARALLEL_MIN_PASSAGES = 5000;

/** transformers.js settings are global: set them for one load. */
function configureTransformers(options: { localDir?: string; downloadDir?: string; hubUrl?: string }): void {
  env.allowLocalModels = options.localDir !== undefined;
  if (options.localDir) env.localModelPath = options.localDir;
  env.allowRemoteModels = options.downloadDir !== undefined;
  // A downloaded file is cached under MODELS_DIR/<model id>/, where the next run finds it on disk.
  if (options.downloadDir) env.cacheDir = options.downloadDir;
  env.remoteHost = options.hubUrl ?? DEFAULT_HUB_URL;
}

/**
 * Loads a feature-extraction model with transformers.js: from `modelsDir`,
 * or the project's own models (the built-in one); otherwise, when
 * `allowRemoteModels` is on, downloaded once into `modelsDir`.
 *
 * @throws ModelNotFoundError saying where it looked and what to do.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { model, modelsDir } = options;
  const localDir = findModel(model, modelsDir);
  if (!localDir && !options.allowRemoteModels) throw new ModelNotFoundError(model, modelFolders(modelsDir));

  configureTransformers(localDir ? { localDir } : { downloadDir: modelsDir, hubUrl: options.hubUrl });
  let extractor: FeatureExtractionPipeline;
  try {
    const progress_callback = (event: { status: string; file?: string; loaded?: number; total?: number }) => {
      if (event.status === 'progress' && event.file) {
        options.onDownload?.({ file: event.file, loaded: event.loaded ?? 0, total: event.total ?? 0 });
      }
    };
    extractor = (await pipeline(
      'feature-extraction',
      model,
      localDir ? {} : { progress_callback },
    )) as FeatureExtractionPipeline;
  } catch (error) {
    if (localDir) throw error; // a model on disk that does not load is damaged: keep the details
    throw new ModelNotFoundError(model, modelFolders(modelsDir), (error as Error).message.split('\n')[0]);
  }
  const card = readModelCard(model, localDir ?? modelsDir);
  const embedder = new TransformersEmbedder(model, extractor, options, card);
  await embedder.embedQuery('.'); // learns the dimension
  return embedder;
}

class TransformersEmbedder implements Embedder {
  dimension = 0;
  readonly spent: EmbedderTimings = { tokenize: 0, model: 0, pool: 0 };
  readonly languages?: readonly string[];
  private readonly tokenizer: FastTokenizer;

  constructor(
    readonly modelId: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly options: EmbedderOptions,
    private readonly card: ModelCard,
  ) {
    this.languages = card.languages;
    this.tokenizer = new FastTokenizer(
      extractor.tokenizer as unknown as ConstructorParameters<typeof FastTokenizer>[0],
    );
    if (!card.static) this.tokens = undefined;
  }

  /** A static model's rows, filled as words need them (see tokens). */
  private table?: TokenRows;
  /** Each word's token ids, remembered (news repeats its words), up to ALIGNED_WORDS words. */
  private readonly wordIds = new Map<string, number[]>();

  /**
   * A static model's token ids for words, and the rows they need: a row is
   * the model's output for its id alone (the same whatever its neighbours),
   * made unit length and kept in eight bits with a scale, once per id (at
   * most the vocabulary: 23 MiB for the built-in model's 89,810 × 256).
   */
  tokens?: (words: readonly string[]) => Promise<TokenTable> = async (words) => {
    const table = this.tokenRows();
    const ids = words.map((word) => {
      let known = this.wordIds.get(word);
      if (!known) {
        known = this.tokenizer.ids(word);
        if (this.wordIds.size < ALIGNED_WORDS) this.wordIds.set(word, known);
      }
      return known;
    });
    const missing = [...new Set(ids.flat())].filter((id) => table.scales[id] === 0 && !table.empty.has(id));
    if (missing.length > 0) await this.loadRows(table, missing);
    return { ...table, ids };
  };

  private tokenRows(): TokenRows {
    if (!this.table) {
      const tokenizer = this.extractor.tokenizer as unknown as { model: { vocab: unknown[] } };
      const size = tokenizer.model.vocab.length;
      this.table = {
        dimension: this.dimension,
        rows: new Int8Array(size * this.dimension),
        scales: new Float32Array(size),
        empty: new Set(),
      };
    }
    return this.table;
  }

  /** Runs the model over ids as one sequence and keeps each output row, unit length, in eight bits. */
  private async loadRows(table: TokenRows, ids: number[]): Promise<void> {
    const shape = [1, ids.length];
    const outputs = await this.extractor.model({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape),
    });
    const hidden: Tensor = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
    const data = hidden.data as Float32Array;
    const dim = table.dimension;
    for (const [i, id] of ids.entries()) {
      let norm = 0;
      let top = 0;
      for (let k = i * dim; k < (i + 1) * dim; k++) {
        norm += data[k] * data[k];
        top = Math.max(top, Math.abs(data[k]));
      }
      if (top === 0) {
        table.empty.add(id); // special tokens: no vector
        continue;
      }
      norm = Math.sqrt(norm);
      const scale = top / norm / 127;
      for (let k = 0; k < dim; k++) table.rows[id * dim + k] = Math.round(data[i * dim + k] / norm / scale);
      table.scales[id] = scale;
    }
  }

  async embedPassages(texts: string[], onBatch?: (done: number) => void): Promise<Float32Array[]> {
    const { passage } = this.card.prefixes;
    const { batchSize } = this.options;
    // Batch passages of similar length together: a batch is padded to its
    // longest text, so mixing short and long ones wastes most of the work.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    const threads = Math.min(this.options.threads ?? availableParallelism(), batches.length);
    if (threads > 1 && texts.length >= PARALLEL_MIN_PASSAGES)
      return this.embedInWorkers(texts, batches, threads, onBatch);
    const vectors: Float32Array[] = new Array(texts.length);
    let done = 0;
    for (const batch of batches) {
      const embedded = await this.run(batch.map((j) => passage + texts[j]));
      for (const [k, j] of batch.entries()) vectors[j] = embedded[k];
      done += batch.length;
      onBatch?.(done);
    }
    return vectors;
  }

  /**
   * Batches dealt out in turn to child processes (so each gets short and long
   * ones); each writes its vectors to a file, read back into one shared table.
   */
  private async embedInWorkers(
    texts: string[],
    batches: number[][],
    threads: number,
    onBatch?: (done: number) => void,
  ): Promise<Float32Array[]> {
    const dimension = this.dimension;
    const table = new Float32Array(new SharedArrayBuffer(texts.length * dimension * 4));
    const work = await mkdtemp(join(tmpdir(), 'embed-'));
    let done = 0;
    try {
      const complete = new Set<ChildProcess>();
      const shares = Array.from({ length: threads }, (_, w) => batches.filter((_, b) => b % threads === w));
      const children = shares.map((share, w) => {
        const child = startProcess(new URL(`./embed-worker${extname(import.meta.url)}`, import.meta.url));
        child.on('message', (message: EmbedMessage) => {
          if ('spent' in message) {
            complete.add(child);
            for (const step of ['tokenize', 'model', 'pool'] as const) this.spent[step] += message.spent?.[step] ?? 0;
            return;
          }
          done += message.done;
          onBatch?.(done);
        });
        child.send({
          options: { ...this.options, onDownload: undefined, allowRemoteModels: false },
          sizes: share.map((batch) => batch.length),
          texts: share.flatMap((batch) => batch.map((i) => texts[i])),
          file: join(work, `${w}.f32`),
        } satisfies EmbedJob);
        return child;
      });
      try {
        // A child whose file is complete has done its work, whatever its exit says (native teardown).
        await Promise.all(
          children.map((child) =>
            exited(child).catch((error) => {
              if (!complete.has(child)) throw error;
            }),
          ),
        );
      } catch (error) {
        for (const child of children) child.kill();
        throw error;
      }
      // Each child's rows, in the order of its share, into their places.
      for (const [w, share] of shares.entries()) {
        const rows = share.flat();
        const read = await readFile(join(work, `${w}.f32`));
        const bytes = read.byteOffset % 4 === 0 ? read : new Uint8Array(read);
        if (bytes.byteLength !== rows.length * dimension * 4)
          throw new Error('embedding: a child wrote too few vectors');
        const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        for (const [k, row] of rows.entries())
          table.set(vectors.subarray(k * dimension, (k + 1) * dimension), row * dimension);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return texts.map((_, i) => table.subarray(i * dimension, (i + 1) * dimension));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.run([this.card.prefixes.query + text]);
    return vector;
  }

  private async run(texts: string[]): Promise<Float32Array[]> {
    // The pipeline's own steps (tokenize, run the model), then pooling done
    // by meanPoolNormalized instead of the pipeline's generic tensor code.
    let started = performance.now();
    const inputs = this.tokenizer.encode(texts);
    this.spent.tokenize += (performance.now() - started) / 1000;
    started = performance.now();
    const outputs = await this.extractor.model(inputs);
    this.spent.model += (performance.now() - started) / 1000;
    started = performance.now();
    const hidden: Tensor = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
    const [rows, , dim] = hidden.dims as [number, number, number];
    this.dimension = dim;
    const pooled = meanPoolNormalized(hidden, inputs.attention_mask);
    this.spent.pool += (performance.now() - started) / 1000;
    // A text made only of unknown tokens pools to 0/0: store it as a zero vector.
    return Array.from({ length: rows }, (_, r) =>
      pooled.subarray(r * dim, (r + 1) * dim).map((x) => (Number.isNaN(x) ? 0 : x)),
    );
  }
}

/**
 * Mean pooling over the unmasked tokens, then L2 normalization: what the
 * feature-extraction pipeline does with `{ pooling: 'mean', normalize: true }`,
 * with the same arithmetic in the same order (so the same bits: the embedder
 * test compares them), in plain loops. The pipeline's generic tensor code
 * (an index computed per element, a BigInt mask read per element and
 * dimension) cost about 2 ms per passage, ten times the model itself.
 */
export function meanPoolNormalized(hidden: Tensor, attentionMask: Tensor): Float32Array {
  const [batch, length, dim] = hidden.dims as [number, number, number];
  const data = hidden.data as Float32Array;
  const maskData = attentionMask.data as ArrayLike<bigint | number>;
  const out = new Float32Array(batch * dim);
  const sums = new Float64Array(dim);
  const mask = new Float64Array(length);
  for (let i = 0; i < batch; i++) {
    let count = 0;
    for (let j = 0; j < length; j++) {
      mask[j] = Number(maskData[i * length + j]);
      count += mask[j];
    }
    // Each dimension's sum adds the tokens in order, as the pipeline does (the same bits), four
    // dimensions at a time in registers: three times faster than one sum array updated per token.
    // Padding (mask 0) adds nothing; a token (mask 1) adds itself: the same sums as token × mask.
    const row = i * length * dim;
    let k = 0;
    for (; k + 4 <= dim; k += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0, at = row + k; j < length; j++, at += dim) {
        if (mask[j] === 0) continue;
        s0 += data[at];
        s1 += data[at + 1];
        s2 += data[at + 2];
        s3 += data[at + 3];
      }
      sums[k] = s0;
      sums[k + 1] = s1;
      sums[k + 2] = s2;
      sums[k + 3] = s3;
    }
    for (; k < dim; k++) {
      let sum = 0;
      for (let j = 0, at = row + k; j < length; j++, at += dim) if (mask[j] !== 0) sum += data[at];
      sums[k] = sum;
    }
    // The norm is accumulated in single precision, as Tensor.norm does.
    const norm = new Float32Array(1);
    for (let k = 0; k < dim; k++) {
      out[i * dim + k] = sums[k] / count;
      norm[0] += out[i * dim + k] ** 2;
    }
    norm[0] = norm[0] ** (1 / 2);
    for (let k = 0; k < dim; k++) out[i * dim + k] /= norm[0];
  }
  return out;
}

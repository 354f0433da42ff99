import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, type FeatureExtractionPipeline, pipeline, Tensor } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/arabic/sentences.js';
import {
  createEmbedder,
  ModelNotFoundError,
  meanPoolNormalized,
  PARALLEL_MIN_PASSAGES,
} from '../../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR, isE5, readModelCard } from '../../src/embedding/models.js';
import { dot } from '../../src/search/vectors.js';
import { builtInEmbedder, tinyEmbedder } from '../helpers/fixtures.js';
import { CORPUS_DIR, TINY_MODEL, TINY_MODELS_DIR } from '../helpers/paths.js';

describe('createEmbedder (tiny model through transformers.js)', () => {
  it('embeds in batches into unit vectors of the model dimension', async () => {
    const embedder = await tinyEmbedder();
    const texts = ['الصين وروسيا', 'التجارة الثنائية', 'بوتين', 'أفغانستان', 'اللقاحات'];
    let batches = 0;
    const vectors = await embedder.embedPassages(texts, () => batches++);
    expect(embedder.dimension).toBe(48);
    expect(vectors).toHaveLength(5);
    for (const v of vectors) expect(Math.abs(dot(v, v) - 1)).toBeLessThan(1e-4);
    expect(batches).toBe(1); // batch size 16
  });

  it('maps related texts closer than unrelated ones', async () => {
    const embedder = await tinyEmbedder();
    const [a, b, c] = await embedder.embedPassages([
      'التجارة الثنائية بين الصين وروسيا',
      'تجارة الصين الثنائية',
      'الإرهاب في أفغانستان',
    ]);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
  });

  it('embeds a question like a passage when the model uses no prefixes', async () => {
    const embedder = await tinyEmbedder();
    const [passage] = await embedder.embedPassages(['بوتين']);
    expect(dot(await embedder.embedQuery('بوتين'), passage)).toBeCloseTo(1, 5);
  });

  it("gives the same vectors, bit for bit, as transformers.js's own pooling and normalization", async () => {
    // Sentences and whole paragraphs of the seed articles, in mixed batches (padding) of the embedder's size.
    const texts = readdirSync(CORPUS_DIR)
      .flatMap((f) => splitSentences(readFileSync(join(CORPUS_DIR, f), 'utf8')).map((s) => s.text))
      .slice(0, 64);
    texts.push(texts.slice(0, 5).join(' '), 'xyz', '');
    const embedder = await builtInEmbedder();
    const ours = await embedder.embedPassages(texts);
    env.allowLocalModels = true;
    env.localModelPath = BUILT_IN_MODELS_DIR;
    env.allowRemoteModels = false;
    const extractor = (await pipeline('feature-extraction', BUILT_IN_MODEL)) as FeatureExtractionPipeline;
    for (let i = 0; i < texts.length; i += 32) {
      const batch = texts.slice(i, i + 32);
      const output = await extractor(batch, { pooling: 'mean', normalize: true });
      const data = output.data as Float32Array;
      for (let r = 0; r < batch.length; r++) {
        const expected = data.slice(r * 256, (r + 1) * 256).map((x) => (Number.isNaN(x) ? 0 : x));
        // embedPassages batches by length; compare each text's vector with the pipeline's, in a batch of others.
        expect(Array.from(ours[i + r])).toEqual(Array.from(expected));
      }
    }
  });

  it('pools any dimension (not only multiples of four) as tokens summed in order, padding left out', () => {
    const [batch, length, dim] = [3, 5, 7];
    const data = Float32Array.from({ length: batch * length * dim }, (_, i) => Math.sin(i) * 10 ** -(i % 5));
    const mask = BigInt64Array.from({ length: batch * length }, (_, i) => (i % length < 2 + (i % 3) ? 1n : 0n));
    const pooled = meanPoolNormalized(
      new Tensor('float32', data, [batch, length, dim]),
      new Tensor('int64', mask, [batch, length]),
    );
    for (let b = 0; b < batch; b++) {
      const tokens = Array.from({ length }, (_, j) => j).filter((j) => mask[b * length + j] === 1n);
      const mean = Array.from({ length: dim }, (_, k) => {
        let sum = 0;
        for (const j of tokens) sum += data[(b * length + j) * dim + k];
        return Math.fround(sum / tokens.length);
      });
      const norm = Math.hypot(...mean);
      for (let k = 0; k < dim; k++) expect(pooled[b * dim + k]).toBeCloseTo(mean[k] / norm, 6);
    }
  });

  it('embeds a large set in worker threads into the same vectors, in order, reporting progress', async () => {
    const words = ['الصين', 'وروسيا', 'التجارة', 'الثنائية', 'بوتين', 'أفغانستان', 'اللقاحات', 'المحادثات'];
    const texts = Array.from({ length: PARALLEL_MIN_PASSAGES }, (_, i) =>
      Array.from({ length: 1 + (i % 9) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
    );
    const options = { model: TINY_MODEL, modelsDir: TINY_MODELS_DIR, allowRemoteModels: false, batchSize: 16 };
    const one = await (await createEmbedder({ ...options, threads: 1 })).embedPassages(texts);
    let reported = 0;
    const two = await (await createEmbedder({ ...options, threads: 2 })).embedPassages(texts, (done) => {
      reported = done;
    });
    expect(two.map((v) => Array.from(v))).toEqual(one.map((v) => Array.from(v)));
    expect(reported).toBe(texts.length);
  });

  it('names the folder it searched when the model is missing', async () => {
    const attempt = createEmbedder({
      model: 'local/absent',
      modelsDir: TINY_MODELS_DIR,
      allowRemoteModels: false,
      batchSize: 8,
    });
    await expect(attempt).rejects.toThrow(ModelNotFoundError);
    await expect(attempt).rejects.toThrow(`${TINY_MODELS_DIR}/local/absent`);
  });
});

describe('model cards', () => {
  it('recognizes e5 model ids only', () => {
    expect(isE5('Xenova/multilingual-e5-small')).toBe(true);
    expect(isE5('intfloat/e5-base-v2')).toBe(true);
    expect(isE5('arabic-news-static-256')).toBe(false);
    expect(isE5('Xenova/bge-m3')).toBe(false);
  });

  it('gives e5 models their prefixes, and others none', () => {
    expect(readModelCard('Xenova/multilingual-e5-small', TINY_MODELS_DIR).prefixes).toEqual({
      query: 'query: ',
      passage: 'passage: ',
    });
    expect(readModelCard('local/tiny-arabic', TINY_MODELS_DIR).prefixes).toEqual({ query: '', passage: '' });
  });
});

describe('token vectors of a static model (the built-in one)', () => {
  it("looks a word's tokens up alone: a one-token word's row is its own embedding, unit length", async () => {
    const embedder = await builtInEmbedder();
    const words = ['أفغانستان', 'الرئيس', 'موسكو'];
    const table = await embedder.tokens?.(words);
    if (!table) throw new Error('the built-in model is static: it must offer tokens()');
    for (const [i, word] of words.entries()) {
      expect(table.ids[i]).toHaveLength(1);
      const id = table.ids[i][0];
      const row = Array.from(
        { length: table.dimension },
        (_, k) => table.rows[id * table.dimension + k] * table.scales[id],
      );
      const [vector] = await embedder.embedPassages([word]);
      const cosine = row.reduce((sum, x, k) => sum + x * vector[k], 0);
      expect(Math.hypot(...row)).toBeCloseTo(1, 2);
      expect(cosine).toBeGreaterThan(0.999);
    }
  });

  it('offers no token vectors for a model that is not static', async () => {
    expect((await tinyEmbedder()).tokens).toBeUndefined();
  });
});

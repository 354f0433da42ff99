/**
 * Writes a tiny but real embedding model in transformers.js layout, for tests
 * that must run where no trained model is available:
 *
 *     npm run make-tiny-model -- OUT_DIR [CORPUS_DIR]
 *     → OUT_DIR/local/tiny-arabic/{config.json, tokenizer*.json, onnx/model_quantized.onnx}
 *
 * The ONNX graph is a token lookup (Gather) with padding masked out, the same
 * shape as a static embedding model; the pipeline's mean pooling and
 * normalization do the rest. A word's vector is the sum of pseudo-random
 * vectors of its character trigrams, so related word forms land near each
 * other, and a handful of English words share their Arabic translation's
 * vector, so cross-language retrieval runs through the real dense path.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

import { normalizeArabic } from '../src/arabic/normalize.js';
import { STOP_WORDS } from '../src/arabic/stopwords.js';

export const TINY_MODEL_ID = 'local/tiny-arabic';
const DIMENSION = 48;
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** English words mapped to the Arabic word whose vector they share. */
const BILINGUAL: Record<string, string> = {
  kremlin: 'الكرملين',
  spokesman: 'المتحدث',
  putin: 'بوتين',
  china: 'الصين',
  chinese: 'الصيني',
  russia: 'روسيا',
  russian: 'الروسي',
  taiwan: 'تايوان',
  trade: 'التجاره',
  afghanistan: 'افغانستان',
  president: 'الرئيس',
  happiness: 'السعاده',
  health: 'والصحه',
  wished: 'وتمني',
  wish: 'وتمني',
  people: 'للشعب',
  year: 'العام',
  new: 'الجديد',
  minister: 'وزير',
  foreign: 'الخارجيه',
  olympics: 'الاولمبيه',
  winter: 'الشتويه',
  vaccines: 'اللقاحات',
  terrorism: 'الارهاب',
};

function hash(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A deterministic pseudo-random vector for a string (values in [-1, 1)). */
function randomVector(key: string): Float32Array {
  const v = new Float32Array(DIMENSION);
  for (let d = 0; d < DIMENSION; d++) v[d] = hash(key, d + 1) / 2 ** 31 - 1;
  return v;
}

function wordVector(word: string): Float32Array {
  const padded = `<${word.replace(/^##/, '')}>`;
  const v = randomVector(`w:${word}`);
  for (let i = 0; i + 3 <= padded.length; i++) {
    const g = randomVector(`g:${padded.slice(i, i + 3)}`);
    for (let d = 0; d < DIMENSION; d++) v[d] += g[d];
  }
  return v;
}

function corpusWords(corpusDir: string): string[] {
  const words = new Set<string>();
  for (const file of readdirSync(corpusDir).filter((f) => /\.(txt|md)$/.test(f))) {
    for (const w of normalizeArabic(readFileSync(join(corpusDir, file), 'utf8')).match(/[\p{L}\p{N}]+/gu) ?? [])
      words.add(w);
  }
  return [...words].sort();
}

function vocabulary(corpusDir: string): string[] {
  const chars = [...'ابتثجحخدذرزسشصضطظعغفقكلمنهويءئؤ', ...'abcdefghijklmnopqrstuvwxyz0123456789'];
  const pieces = [...chars, ...chars.map((c) => `##${c}`)];
  const words = [...corpusWords(corpusDir), ...Object.keys(BILINGUAL), ...STOP_WORDS];
  return [...new Set([...SPECIAL, ...pieces, ...words])];
}

function tokenizerJson(vocab: string[]) {
  const replace = (pattern: object, content: string) => ({ type: 'Replace', pattern, content });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    // The same folding as src/arabic/normalize.ts, so the model sees what BM25 sees.
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        replace({ Regex: '[\\u064B-\\u065F\\u0670\\u0640\\u06D6-\\u06ED]' }, ''),
        replace({ Regex: '[\\u0622\\u0623\\u0625\\u0671]' }, 'ا'),
        replace({ String: 'ى' }, 'ي'),
        replace({ String: 'ة' }, 'ه'),
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/** The ONNX graph: last_hidden_state = embeddings[input_ids] * attention_mask. */
function onnxModel(vocab: string[]): Uint8Array {
  const table = new Float32Array(vocab.length * DIMENSION);
  vocab.forEach((token, i) => {
    // Zero rows: special tokens and function words do not move the mean's direction
    // (the job SIF weighting does in a trained static model).
    if (SPECIAL.includes(token) || STOP_WORDS.has(token)) return;
    const source = BILINGUAL[token] ?? token;
    table.set(wordVector(source), i * DIMENSION);
  });
  const dim = (name: string) => ({ dimParam: name });
  const tensorType = (elemType: number, dims: object[]) => ({ tensorType: { elemType, shape: { dim: dims } } });
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const graph = {
    name: 'tiny-static-embedding',
    initializer: [
      { name: 'embeddings', dataType: FLOAT, dims: [vocab.length, DIMENSION], rawData: new Uint8Array(table.buffer) },
      { name: 'last_axis', dataType: INT64, dims: [1], int64Data: [-1] },
    ],
    node: [
      {
        opType: 'Gather',
        input: ['embeddings', 'input_ids'],
        output: ['gathered'],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
      {
        opType: 'Cast',
        input: ['attention_mask'],
        output: ['mask_float'],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      },
      { opType: 'Unsqueeze', input: ['mask_float', 'last_axis'], output: ['mask_3d'] },
      { opType: 'Mul', input: ['gathered', 'mask_3d'], output: ['last_hidden_state'] },
    ],
    input: [
      { name: 'input_ids', type: tensorType(INT64, [dim('batch'), dim('sequence')]) },
      { name: 'attention_mask', type: tensorType(INT64, [dim('batch'), dim('sequence')]) },
    ],
    output: [
      { name: 'last_hidden_state', type: tensorType(FLOAT, [dim('batch'), dim('sequence'), { dimValue: DIMENSION }]) },
    ],
  };
  const model = onnx.ModelProto.fromObject({
    irVersion: 7,
    producerName: 'make-tiny-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the tiny model under `outDir` and returns the folder it made. */
export function makeTinyModel(outDir: string, corpusDir: string): string {
  const vocab = vocabulary(corpusDir);
  const dir = join(outDir, TINY_MODEL_ID);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: DIMENSION,
    vocab_size: vocab.length,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    max_position_embeddings: 8192,
    pad_token_id: 0,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 1));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 8192,
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: '[MASK]',
    }),
  );
  writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), onnxModel(vocab));
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out = 'test/.tmp/models', corpus = 'corpus'] = process.argv.slice(2);
  console.log(`Wrote ${makeTinyModel(resolve(out), resolve(corpus))}`);
}

import { readFileSync } from 'node:fs';
import { AutoTokenizer, env } from '@xenova/transformers';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/arabic/sentences.js';
import { FastTokenizer } from '../../src/embedding/fast-tokenizer.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../../src/embedding/models.js';
import { ARCD, TINY_MODEL, TINY_MODELS_DIR } from '../helpers/paths.js';

type Tokenizer = ConstructorParameters<typeof FastTokenizer>[0];

async function loadTokenizer(dir: string, model: string): Promise<Tokenizer> {
  env.allowLocalModels = true;
  env.localModelPath = dir;
  env.allowRemoteModels = false;
  return (await AutoTokenizer.from_pretrained(model)) as unknown as Tokenizer;
}

/** ARCD's paragraphs as sentences (Arabic with Latin names, digits, punctuation, diacritics), a few whole. */
function arcdTexts(): string[] {
  const data = JSON.parse(readFileSync(ARCD, 'utf8')) as {
    data: { paragraphs: { context: string }[] }[];
  };
  const contexts = data.data.flatMap((a) => a.paragraphs.map((p) => p.context));
  return [...contexts.flatMap((c) => splitSentences(c).map((s) => s.text)), ...contexts.slice(0, 20)];
}

describe('FastTokenizer', () => {
  const texts = arcdTexts();
  const extra = [
    '',
    'xyz',
    'مُحَمَّدٌ رَسُولُ اللَّهِ',
    '١٢٣ ٤٥٦ and 789',
    '😀 ﷺ',
    // Longer than the model reads: truncated the same way.
    texts.slice(0, 400).join(' '),
  ];

  it.each([
    ['the built-in model', BUILT_IN_MODELS_DIR, BUILT_IN_MODEL],
    ['the tiny test model', TINY_MODELS_DIR, TINY_MODEL],
  ])("gives %s's inputs exactly as transformers.js's tokenizer does, batch by batch", async (_, dir, model) => {
    const reference = await loadTokenizer(dir, model);
    const fast = new FastTokenizer(await loadTokenizer(dir, model));
    expect(texts.length).toBeGreaterThan(500);
    const all = [...extra, ...texts];
    for (let i = 0; i < all.length; i += 32) {
      const batch = all.slice(i, i + 32);
      const expected = reference(batch, { padding: true, truncation: true });
      const got = fast.encode(batch);
      expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
      for (const key of Object.keys(expected)) {
        expect(got[key].dims).toEqual(expected[key].dims);
        expect(got[key].data).toEqual(expected[key].data);
      }
    }
  });
});

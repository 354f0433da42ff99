import { describe, expect, it } from 'vitest';
import { alignments } from '../../src/answering/alignment.js';
import type { TermWeights } from '../../src/answering/relevance.js';
import { lightStem } from '../../src/arabic/tokens.js';
import { builtInEmbedder, tinyEmbedder } from '../helpers/fixtures.js';

/** Every word of the question weighs 1, except those named (by their stem), which weigh 0. */
function weightsWithout(...ignored: string[]): TermWeights {
  return { weightOfWord: (word: string) => (ignored.includes(lightStem(word)) ? 0 : 1) } as unknown as TermWeights;
}

describe('word alignment of a question with sentences (the built-in static model)', () => {
  it('scores a sentence saying the question in other words above one about something else', async () => {
    const embedder = await builtInEmbedder();
    const [paraphrase, unrelated] = await alignments(embedder, 'متى اغتيل الرئيس المصري؟', weightsWithout(), [
      'قتل رئيس مصر أنور السادات خلال عرض عسكري عام 1981.',
      'ارتفعت أسعار القمح في الأسواق الأوروبية هذا الأسبوع.',
    ]);
    expect(paraphrase).toBeGreaterThan(unrelated + 0.1);
  });

  it('aligns a word the sentence holds as it is at a cosine of 1, and counts a word weighing 0 for nothing', async () => {
    const embedder = await builtInEmbedder();
    const question = 'ماذا قال بيسكوف عن أفغانستان وطالبان؟';
    const [all] = await alignments(embedder, question, weightsWithout(), [
      'تحدث بيسكوف عن أفغانستان وطالبان في موسكو.',
    ]);
    expect(all).toBeGreaterThan(0.98); // eight-bit rows: a cosine of 1 within about 0.01
    // With «بيسكوف» and «أفغانستان» weighing 0, only «وطالبان» counts, and this text does not hold it.
    const ignored = weightsWithout(lightStem('بيسكوف'), lightStem('أفغانستان'));
    const [rest] = await alignments(embedder, question, ignored, ['بيسكوف وأفغانستان']);
    expect(rest).toBeLessThan(0.9);
  });

  it('answers one score per text, in order, duplicates and empty texts included', async () => {
    const embedder = await builtInEmbedder();
    const texts = ['', 'قال بيسكوف إن أفغانستان تحتاج إلى الاستقرار.', '', 'ارتفعت أسعار القمح.'];
    const scores = await alignments(embedder, 'ماذا قال بيسكوف عن أفغانستان؟', weightsWithout(), [...texts, texts[1]]);
    expect(scores).toHaveLength(5);
    expect(scores[0]).toBe(0);
    expect(scores[2]).toBe(0);
    expect(scores[4]).toBe(scores[1]);
    expect(scores[1]).toBeGreaterThan(scores[3]);
  });

  it("remembers each text's tokens: a text seen before is not analysed again, and scores the same", async () => {
    const embedder = await builtInEmbedder();
    const asked: string[][] = [];
    // The same model, its word lookups watched (a new object: the texts remembered are the embedder's).
    const watched = {
      tokens: (words: readonly string[]) => {
        asked.push([...words]);
        return embedder.tokens?.(words) ?? Promise.reject(new Error('the built-in model is static'));
      },
    };
    const question = 'ماذا قال بيسكوف عن أفغانستان؟';
    const texts = ['قال المتحدث ديمتري بيسكوف إن موسكو تتابع الوضع في أفغانستان.', 'ارتفعت أسعار القمح.'];
    const first = await alignments(watched, question, weightsWithout(), texts);
    expect(asked.at(-1)).toEqual(expect.arrayContaining(['ديمتري', 'القمح']));
    const again = await alignments(watched, question, weightsWithout(), texts);
    expect(again).toEqual(first);
    // Only the question's own content words were looked up the second time («قال» is a stop word).
    expect(asked.at(-1)).toEqual(['بيسكوف', 'افغانستان']);
    // And a fresh embedder object, with nothing remembered, gives the same scores.
    expect(await alignments({ tokens: embedder.tokens }, question, weightsWithout(), texts)).toEqual(first);
  });

  it('is all zeros for a model whose tokens cannot be looked up alone (not static), or a question of stop words', async () => {
    const tiny = await tinyEmbedder();
    expect(tiny.tokens).toBeUndefined();
    expect(await alignments(tiny, 'ماذا قال بيسكوف؟', weightsWithout(), ['قال بيسكوف.'])).toEqual([0]);
    const builtIn = await builtInEmbedder();
    expect(await alignments(builtIn, 'ماذا عن ذلك؟', weightsWithout(), ['قال بيسكوف.'])).toEqual([0]);
  });
});

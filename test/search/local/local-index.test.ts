import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { analyseQuestion } from '../../../src/answering/question.js';
import { contentTerms } from '../../../src/arabic/tokens.js';
import { readDataset } from '../../../src/eval/datasets.js';
import { buildIndex } from '../../../src/search/local/build.js';
import { type LocalIndex, openIndex } from '../../../src/search/local/local-index.js';
import { builtInEmbedder, CHUNKING, copyCorpus, seedIndex, tempDir, tinyEmbedder } from '../../helpers/fixtures.js';
import { SEED_QA } from '../../helpers/paths.js';

/** The sentences in the order of their exact similarities to `vector` (ties in the order given). */
async function exactOrder(index: LocalIndex, vector: Float32Array, ids: number[]): Promise<number[]> {
  const similarities = await index.sentenceSimilarities(vector, ids);
  return ids
    .map((_, i) => i)
    .sort((a, b) => similarities[b] - similarities[a])
    .map((i) => ids[i]);
}

describe('LocalIndex.rankBySimilarity', () => {
  it('orders sentences as their exact similarities do, before and after the half-precision copies are read, and reads exact rows only for close calls', async () => {
    const embedder = await builtInEmbedder();
    const questions = (await readDataset(SEED_QA)).questions;
    const vectors = await Promise.all(questions.map((q) => embedder.embedQuery(q.question)));
    const { indexDir } = await seedIndex(embedder);
    const index = await openIndex(indexDir);
    // Every chunk's sentences (what retrieval orders), and a few larger sets, scrambled.
    const spans = await index.chunks(Array.from({ length: index.manifest.counts.chunks }, (_, c) => c));
    const sets = spans.map(({ first, last }) => Array.from({ length: last - first + 1 }, (_, i) => first + i));
    for (let start = 0; start + 40 <= index.sentenceCount; start += 37)
      sets.push(Array.from({ length: 40 }, (_, i) => start + ((i * 17) % 40)));
    // The exact similarities, read from the vector tables (sentenceSimilarities reads them too).
    const exactReads = vi.spyOn(index as unknown as { exactSimilarities: () => number[] }, 'exactSimilarities');
    const rank = async (vector: Float32Array, ids: number[]) => (await index.rankBySimilarity(vector, [ids]))[0];

    // Before the copies are in, the exact similarities order the sentences.
    const some = sets.find((ids) => ids.length >= 3) ?? [];
    expect(await rank(vectors[0], some)).toEqual(await exactOrder(index, vectors[0], some));
    expect(exactReads).toHaveBeenCalledTimes(2);

    await index.copiesRead();
    const expected = await Promise.all(vectors.map((v) => Promise.all(sets.map((ids) => exactOrder(index, v, ids)))));
    exactReads.mockClear();
    // All the sets in one call per question, as retrieval asks.
    const ranked = await Promise.all(vectors.map((v) => index.rankBySimilarity(v, sets)));
    expect(ranked).toEqual(expected);
    const calls = vectors.length * sets.filter((ids) => ids.length > 1).length;
    expect(exactReads.mock.calls.length).toBeGreaterThan(0); // some calls are too close for the copies
    expect(exactReads.mock.calls.length).toBeLessThan(calls / 10); // and few
    // Equal similarities (the same sentence twice) cannot be told apart by the copies: exact, in the order given.
    exactReads.mockClear();
    expect(await rank(vectors[0], [3, 3, 1])).toEqual(await exactOrder(index, vectors[0], [3, 3, 1]));
    expect(exactReads).toHaveBeenCalledTimes(2);
    await index.close();
  });
});

describe('LocalIndex.termsIn', () => {
  it('finds of the given terms what analysing the sentences finds, in the base and in a delta', async () => {
    const corpusDir = copyCorpus();
    const indexDir = join(tempDir('terms'), 'embeddings');
    const build = async () =>
      buildIndex({ corpusDir, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING, maxDeltaShare: 1 });
    await build();
    writeFileSync(
      join(corpusDir, '006_new.txt'),
      'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة مع الصين.\n',
    );
    await build();
    const index = await openIndex(indexDir);
    expect(index.manifest.counts.articles).toBe(6);
    const questions = [
      ...(await readDataset(SEED_QA)).questions.map((q) => q.question),
      'ماذا قال الكرملين عن المحادثات مع الصين؟',
    ];
    const texts = (await index.sentences(Array.from({ length: index.sentenceCount }, (_, id) => id))).map(
      (s) => s?.text ?? '',
    );
    let found = 0;
    for (const text of questions) {
      const terms = [...new Set(analyseQuestion(text, null).terms.flat())];
      const groups: number[][] = [];
      for (let first = 0; first < index.sentenceCount; first += 2)
        groups.push([first, first + 1, first + 7].filter((id) => id < index.sentenceCount));
      const held = await index.termsIn(groups, terms);
      groups.forEach((ids, g) => {
        const analysed = new Set(ids.flatMap((id) => contentTerms(texts[id])));
        expect([...held[g]].sort()).toEqual(terms.filter((t) => analysed.has(t)).sort());
        found += held[g].size;
      });
    }
    expect(found).toBeGreaterThan(100); // the questions' words are in the articles
    // The delta's sentence (the last one) holds its words.
    const [last] = await index.termsIn([[index.sentenceCount - 1]], contentTerms('الكرملين الصين البرازيل'));
    expect([...last].sort()).toEqual(contentTerms('الكرملين الصين').sort());
    await index.close();
  });
});

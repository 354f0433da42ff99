import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/arabic/sentences.js';
import { contentTerms } from '../../../src/arabic/tokens.js';
import { readDataset } from '../../../src/eval/datasets.js';
import { ANALYSIS } from '../../../src/search/bm25.js';
import { LexicalIndex } from '../../../src/search/local/lexical.js';
import { ARCD, CORPUS_DIR, SEED_QA } from '../../helpers/paths.js';

const docs = [
  'أعلن الكرملين أن المحادثات مستمرة',
  'وصل الوفد إلى سويسرا أمس',
  'وصل الوفد اللبناني إلى بيروت',
  'قال المُتحدّث إنّ العلاقاتِ الثنائيةَ ممتازة',
];

describe('LexicalIndex', () => {
  const index = LexicalIndex.build(docs);

  it('matches across diacritics, alef forms and attached articles', () => {
    expect(index.search('العلاقات الثنائية', 5)[0].id).toBe(3);
    expect(index.search('علاقات ثنائيه', 5)[0].id).toBe(3);
  });

  it('finds a word with a one-letter preposition attached, without losing words that start with that letter', () => {
    expect(index.search('لسويسرا', 5).map((h) => h.id)).toContain(1);
    expect(index.search('لبنان', 5).map((h) => h.id)).not.toContain(1);
  });

  it('ignores question words', () => {
    expect(index.search('ماذا هل متى ماهي', 5)).toEqual([]);
  });

  it('forgets removed documents and finds added ones under their ids', () => {
    const copy = LexicalIndex.fromBytes(index.toBytes()).update({
      removed: [0],
      added: { texts: ['الكرملين يرحب بالمبادرة'], ids: [42] },
      order: [1, 2, 42, 3],
    });
    expect(copy.search('الكرملين', 5).map((h) => h.id)).toEqual([42]);
    expect(copy.documentFrequency(contentTerms('الكرملين')[0])).toBe(1);
    expect(copy.size).toBe(4);
  });
});

/** MiniSearch as this index was built with it before: the reference for scores and order. */
function miniSearch(texts: string[], ids: number[]): (query: string) => { id: number; score: number }[] {
  const index = new MiniSearch({ fields: ['text'], storeFields: [], ...ANALYSIS });
  index.addAll(texts.map((text, i) => ({ id: ids[i], text })));
  return (query) => index.search(query, { combineWith: 'OR' }).map((r) => ({ id: r.id as number, score: r.score }));
}

describe('LexicalIndex against MiniSearch, on real sentences and questions', () => {
  let texts: string[];
  let queries: string[];
  beforeAll(async () => {
    const arcd = await readDataset(ARCD);
    const paragraphs = (arcd.articles ?? []).map((a) => a.markdown.replace(/^---[\s\S]*?---\n/, ''));
    const seed = readdirSync(CORPUS_DIR).map((f) => readFileSync(join(CORPUS_DIR, f), 'utf8'));
    // Sentences, and runs of five sentences (chunk-like), so lengths vary.
    const sentences = [...seed, ...paragraphs].flatMap((t) => splitSentences(t).map((s) => s.text));
    texts = [
      ...sentences,
      ...sentences.filter((_, i) => i % 5 === 0).map((_, i) => sentences.slice(i * 5, i * 5 + 5).join(' ')),
    ];
    const seedQuestions = (await readDataset(SEED_QA)).questions.map((q) => q.question);
    queries = [...seedQuestions, ...arcd.questions.slice(0, 200).map((q) => q.question), 'الكرملين الكرملين روسيا', ''];
  });

  it('gives the same hits, scores (to the bit) and order, ties included', () => {
    const ids = texts.map((_, i) => 1000 + i * 3);
    const ours = LexicalIndex.fromBytes(LexicalIndex.build(texts, ids).toBytes());
    const reference = miniSearch(texts, ids);
    let compared = 0;
    for (const query of queries) {
      const expected = reference(query);
      expect(ours.search(query, expected.length + 5)).toEqual(expected);
      expect(ours.search(query, 10)).toEqual(expected.slice(0, 10));
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('updated in place equals a build from scratch of the same documents in the same order', () => {
    const all = texts.map((_, i) => i);
    // Start without every seventh document and with a few that go away.
    const start = all.filter((i) => i % 7 !== 3);
    const gone = texts.map((_, i) => 100_000 + i).filter((_, i) => i % 50 === 0);
    const startOrder = [...gone, ...start];
    const startTexts = [...gone.map((g) => texts[(g - 100_000 + 1) % texts.length]), ...start.map((i) => texts[i])];
    const before = LexicalIndex.build(startTexts, startOrder);
    const added = all.filter((i) => i % 7 === 3);
    const updated = before.update({
      removed: gone,
      added: { texts: added.map((i) => texts[i]), ids: added },
      order: all,
    });
    const full = LexicalIndex.build(texts, all);
    const reference = miniSearch(texts, all);
    for (const query of queries) {
      const expected = reference(query).slice(0, 20);
      expect(updated.search(query, 20)).toEqual(expected);
      expect(full.search(query, 20)).toEqual(expected);
    }
    for (const term of contentTerms(queries.join(' ')))
      expect(updated.documentFrequency(term)).toBe(full.documentFrequency(term));
  });
});

describe('LexicalIndex.search (pruned) against searchAll (every posting scored)', () => {
  it('returns the same top k, ties and repeated query words included, for any k (fast-check)', async () => {
    const seed = readdirSync(CORPUS_DIR).map((f) => readFileSync(join(CORPUS_DIR, f), 'utf8'));
    const sentences = seed.flatMap((t) => splitSentences(t).map((s) => s.text));
    // Every sentence three times over: many exact ties, as in an archive of republished wires.
    const texts = [...sentences, ...sentences, ...sentences];
    const index = LexicalIndex.build(texts);
    const words = [...new Set(sentences.flatMap((s) => s.split(/\s+/)))].filter((w) => w.length > 1);
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 60 }),
        (query, k) => {
          const text = query.join(' ');
          expect(index.search(text, k)).toEqual(index.searchAll(text).slice(0, k));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('LexicalIndex.searchParts', () => {
  it('scores the parts of a build as one index of all their documents would, to the bit (fast-check)', async () => {
    const seed = readdirSync(CORPUS_DIR).map((f) => readFileSync(join(CORPUS_DIR, f), 'utf8'));
    const sentences = seed.flatMap((t) => splitSentences(t).map((s) => s.text));
    const words = [...new Set(sentences.flatMap((s) => s.split(/\s+/)))].filter((w) => w.length > 1);
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: sentences.length - 1 }),
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        (cut, query, k) => {
          const ids = sentences.map((_, i) => i);
          const whole = LexicalIndex.build(sentences, ids);
          const parts = [
            LexicalIndex.build(sentences.slice(0, cut), ids.slice(0, cut)),
            LexicalIndex.build(sentences.slice(cut), ids.slice(cut)),
          ];
          const text = query.join(' ');
          expect(LexicalIndex.searchParts(parts, text, k)).toEqual(whole.search(text, k));
        },
      ),
      { numRuns: 200 },
    );
  });
});

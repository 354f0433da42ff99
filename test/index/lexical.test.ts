import { describe, expect, it } from 'vitest';
import { contentTerms } from '../../src/arabic/tokens.js';
import { LexicalIndex } from '../../src/index/lexical.js';

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
    const copy = LexicalIndex.fromJSON(index.toJSON());
    copy.remove([0]);
    copy.add(['الكرملين يرحب بالمبادرة'], [42]);
    expect(copy.search('الكرملين', 5).map((h) => h.id)).toEqual([42]);
    expect(copy.documentFrequency(contentTerms('الكرملين')[0])).toBe(1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiDigits,
  normalizeArabic,
  normalizeArabicByRegex,
  normalizeForSearch,
} from '../../src/arabic/normalize.js';

describe('normalizeArabic', () => {
  it('removes diacritics and tatweel', () => {
    expect(normalizeArabic('إِنَّ المُبـــادرةَ')).toBe('ان المبادره');
  });

  it('unifies alef forms and folds ى/ي and ة/ه', () => {
    expect(normalizeArabic('أحمد إلى آسيا ٱلرحمن مستشفى مدرسة')).toBe('احمد الي اسيا الرحمن مستشفي مدرسه');
  });

  it('turns Arabic-Indic and Persian digits into ASCII', () => {
    expect(asciiDigits('٢٠٢١ و ۱۹۹۹')).toBe('2021 و 1999');
    expect(normalizeArabic('الذكرى الـ٢٠')).toBe('الذكري ال20');
  });

  it('unifies curly and angle quotes', () => {
    expect(normalizeArabic('“الحصن” «الحزام» ‘x’')).toBe('"الحصن" "الحزام" \'x\'');
  });

  it('removes invisible format characters and lower-cases Latin', () => {
    expect(normalizeArabic('Covid\u200c-19\u200f')).toBe('covid-19');
  });

  it('matches the seed answers as the evaluation compares them', () => {
    expect(normalizeForSearch('وقال إن  العلاقة ليست تحالفاً عسكرياً')).toContain(
      normalizeForSearch('ليست تحالفا عسكريا'),
    );
  });
});

describe('normalizeArabic, one pass', () => {
  it('equals the chain of replacements it stands for, on any text (fast-check)', () => {
    const alphabet = fc.oneof(
      fc.integer({ min: 0x0600, max: 0x06ff }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0xfb50, max: 0xfeff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(
        'ا\u0654',
        'و\u0654',
        'ي\u0654',
        '\u1100\u1161\u11a8',
        'Å',
        'ﬁ',
        '①',
        'İ',
        '\u200f',
        '\u2066',
        '\u{E0041}',
        '\u{1D400}',
        '👍🏽',
        '“',
        '‘',
        '٢',
        '۳',
        ' ',
        '\n',
      ),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(normalizeArabic(text)).toBe(normalizeArabicByRegex(text));
      }),
      { numRuns: 2000 },
    );
  });
});

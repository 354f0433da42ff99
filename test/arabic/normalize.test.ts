import { describe, expect, it } from 'vitest';
import { asciiDigits, normalizeArabic, normalizeForSearch } from '../../src/arabic/normalize.js';

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

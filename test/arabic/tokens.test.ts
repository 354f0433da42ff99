import { describe, expect, it } from 'vitest';
import { contentTerms, lightStem, words } from '../../src/arabic/tokens.js';

describe('words', () => {
  it('splits on anything that is not a letter or digit, after normalization', () => {
    expect(words('قال: “الصين، وروسيا” (2021)!')).toEqual(['قال', 'الصين', 'وروسيا', '2021']);
  });
});

describe('lightStem', () => {
  it('strips the article and attached particles', () => {
    expect(lightStem('والعلاقات')).toBe(lightStem('علاقات'));
    expect(lightStem('بالصين')).toBe('صين');
    expect(lightStem('للتعاون')).toBe(lightStem('التعاون'));
  });

  it('strips plural, dual and pronoun suffixes', () => {
    expect(lightStem('المفاوضات')).toBe(lightStem('مفاوض'));
    expect(lightStem('البلدين')).toBe('بلد');
  });

  it('keeps short words and non-Arabic words whole', () => {
    expect(lightStem('من')).toBe('من');
    expect(lightStem('covid')).toBe('covid');
  });
});

describe('contentTerms', () => {
  it('drops question words and particles, keeps the topic', () => {
    expect(contentTerms('ما هي عاصمة البرازيل؟')).toEqual([lightStem('عاصمه'), lightStem('برازيل')]);
  });

  it('drops English function words', () => {
    expect(contentTerms('What is the Kremlin spokesman name?')).toEqual(['kremlin', 'spokesman', 'name']);
  });
});

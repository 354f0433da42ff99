import { describe, expect, it } from 'vitest';
import { analyze, contentTerms, lightStem, words } from '../../src/arabic/tokens.js';

describe('words', () => {
  it('splits on anything that is not a letter or digit, after normalization', () => {
    expect(words('قال: “الصين، وروسيا” (2021)!')).toEqual(['قال', 'الصين', 'وروسيا', '2021']);
  });

  it('keeps a number whole with its separators, and apart from letters', () => {
    expect(words('نما 2.5% في 2018م و١٬٥٠٠')).toEqual(['نما', '2.5', 'في', '2018', 'م', 'و', '1٬500']);
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

  it('stems a number word to its number', () => {
    expect(lightStem('الخامسه')).toBe('5');
    expect(lightStem('ثلاثين')).toBe('30');
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

describe('analyze', () => {
  it('gives a word that may carry a one-letter preposition both readings', () => {
    expect(analyze('لسويسرا')).toEqual([[lightStem('لسويسرا'), lightStem('سويسرا')]]);
    expect(analyze('السويسرية')).toEqual([[lightStem('سويسريه')]]);
  });

  it('reads numbers as numbers and keeps them, however short', () => {
    expect(analyze('في اليوم الخامس عشر')).toEqual([[lightStem('يوم')], ['15']]);
  });
});

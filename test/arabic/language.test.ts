import { describe, expect, it } from 'vitest';
import { writtenLanguage } from '../../src/arabic/language.js';

describe('writtenLanguage', () => {
  it('reads an Arabic question that names people or things in Latin letters as Arabic', () => {
    // Before, letters were counted: «Mona Lisa» outweighed «من رسم», and the question was refused as English.
    expect(writtenLanguage('من رسم Mona Lisa؟')).toBe('ar');
    expect(writtenLanguage('ما هو ChatGPT؟')).toBe('ar');
    expect(writtenLanguage('ماذا قال Elon Musk عن Tesla؟')).toBe('ar');
    expect(writtenLanguage('ماذا قالت Bank of America عن الفائدة؟')).toBe('ar');
  });

  it('reads a question whose Latin words are a sentence of their own in that language', () => {
    expect(writtenLanguage('What is the capital of Iceland?')).toBe('en');
    expect(writtenLanguage('ما هي capital of Iceland؟')).toBe('en');
    expect(writtenLanguage('Quel est le rôle de la Chine en Afghanistan ?')).toBe('fr');
    expect(writtenLanguage('Что Путин сказал о Тайване?')).toBe('ru');
    expect(writtenLanguage('Putin Taiwan')).toBe('en');
  });

  it('has no language for a text without letters', () => {
    expect(writtenLanguage('2020؟')).toBeUndefined();
    expect(writtenLanguage('؟؟؟!!!...')).toBeUndefined();
    expect(writtenLanguage('🙂🙂')).toBeUndefined();
    expect(writtenLanguage('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟')).toBe('ar');
  });
});

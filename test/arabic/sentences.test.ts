import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/arabic/sentences.js';
import { CORPUS_DIR } from '../helpers/paths.js';

const texts = (s: string) => splitSentences(s).map((x) => x.text);

describe('splitSentences', () => {
  it('splits at Arabic and Latin terminators and at line breaks', () => {
    expect(texts('هل جاء؟ نعم جاء. ثم ذهب! وبعدها؛ عاد\nسطر جديد')).toEqual([
      'هل جاء؟',
      'نعم جاء.',
      'ثم ذهب!',
      'وبعدها؛',
      'عاد',
      'سطر جديد',
    ]);
  });

  it('keeps every span equal to the source text at its offsets', () => {
    const source = '  أولى.   ثانية؟\n\nثالثة!  ';
    for (const span of splitSentences(source)) expect(source.slice(span.start, span.end)).toBe(span.text);
  });

  it('keeps a quotation with inner full stops in one sentence', () => {
    expect(texts('قال “نحن نراقب. ولدينا عمليات” ثم غادر. وانتهى')).toEqual([
      'قال “نحن نراقب. ولدينا عمليات” ثم غادر.',
      'وانتهى',
    ]);
    expect(texts('قال «أولاً. ثانياً» وأضاف.')).toEqual(['قال «أولاً. ثانياً» وأضاف.']);
  });

  it('keeps a closing quote after the full stop with its sentence', () => {
    expect(texts('قال “انتهى الأمر.” ثم صمت.')).toEqual(['قال “انتهى الأمر.”', 'ثم صمت.']);
  });

  it('does not split decimals or leave empty sentences', () => {
    expect(texts('بلغ النمو 2.5 بالمئة... !!')).toEqual(['بلغ النمو 2.5 بالمئة...']);
  });

  it('does not cut inside abbreviations and Latin names', () => {
    expect(texts('فاز نادي برشلونة F.C على ريال مدريد. ثم عاد الفريق.')).toEqual([
      'فاز نادي برشلونة F.C على ريال مدريد.',
      'ثم عاد الفريق.',
    ]);
    expect(texts('زار مدينة St. Louis أمس. وعاد.')).toEqual(['زار مدينة St. Louis أمس.', 'وعاد.']);
    expect(texts('كتبت J. K. Rowling الرواية. انتهى.')).toEqual(['كتبت J. K. Rowling الرواية.', 'انتهى.']);
    expect(texts('قال د. محمد إن الوضع جيد. وأضاف.')).toEqual(['قال د. محمد إن الوضع جيد.', 'وأضاف.']);
    expect(texts('في القرن الثالث ق.م سقطت المدينة. ثم بنيت.')).toEqual([
      'في القرن الثالث ق.م سقطت المدينة.',
      'ثم بنيت.',
    ]);
    // An era mark ends a date, and may end a sentence.
    expect(texts('ولد عام 1950 م. ثم انتقل.')).toEqual(['ولد عام 1950 م.', 'ثم انتقل.']);
  });

  it('splits a real article into its sentences', () => {
    const text = readFileSync(join(CORPUS_DIR, '001_affb6d0cda8cf843.txt'), 'utf8');
    const sentences = texts(text);
    expect(sentences).toContain(
      'وذكر الرئيس الصيني أن التجارة الثنائية تجاوزت 100 مليار دولار للمرة الأولى في الفصول الثلاثة الأولى من العام الجاري، وأنه على مدار العام، ستصل التجارة الثنائية إلى مستوى قياسي.',
    );
    // The quotation “محكوم عليه بالفشل” ends the last sentence with its full stop.
    expect(sentences.at(-1)).toMatch(/“محكوم عليه بالفشل”\.$/);
    expect(sentences).toHaveLength(10);
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeArabic } from '../../src/arabic/normalize.js';
import { foldNumbers, numberTerms, numberWordTerm, readDigits } from '../../src/arabic/numbers.js';
import { analyze, contentTerms, words } from '../../src/arabic/tokens.js';

/** The number terms of a text, as the analysis reads them. */
const fold = (text: string) => foldNumbers(words(text));

describe('foldNumbers: a number in words becomes its digits', () => {
  it('reads cardinals, masculine and feminine', () => {
    expect(fold('ثلاثة')).toEqual(['3']);
    expect(fold('ثلاث')).toEqual(['3']);
    expect(fold('ثماني')).toEqual(['8']);
    expect(fold('ثمانية')).toEqual(['8']);
    expect(fold('عشرة')).toEqual(['10']);
    expect(fold('ثلاثين')).toEqual(['30']);
    expect(fold('ثلاثون')).toEqual(['30']);
    expect(fold('مئة')).toEqual(['100']);
    expect(fold('مائة')).toEqual(['100']);
    expect(fold('مئتين')).toEqual(['200']);
    expect(fold('خمسمائة')).toEqual(['500']);
    expect(fold('ألف')).toEqual(['1000']);
    expect(fold('ألفين')).toEqual(['2000']);
  });

  it('reads ordinals as their number', () => {
    expect(fold('الخامس')).toEqual(['5']);
    expect(fold('الخامسة')).toEqual(['5']);
    expect(fold('الأول')).toEqual(['1']);
    expect(fold('الأولى')).toEqual(['1']);
    expect(fold('العاشر')).toEqual(['10']);
    expect(fold('الثلاثين')).toEqual(['30']);
  });

  it('reads compound numbers: teens, units and tens, hundreds, thousands', () => {
    expect(fold('خمسة وعشرين')).toEqual(['25']);
    expect(fold('خمس و عشرون')).toEqual(['25']);
    expect(fold('ثلاثة عشر')).toEqual(['13']);
    expect(fold('أحد عشر')).toEqual(['11']);
    expect(fold('اثنتا عشرة')).toEqual(['12']);
    expect(fold('الخامس عشر')).toEqual(['15']);
    expect(fold('القرن التاسع عشر')).toEqual(['القرن', '19']);
    expect(fold('الحادي والعشرين')).toEqual(['21']);
    expect(fold('ثلاث مئة')).toEqual(['300']);
    expect(fold('ثلاثمائة وخمسة وستين')).toEqual(['365']);
    expect(fold('ثلاثة آلاف وخمسمائة')).toEqual(['3500']);
    expect(fold('عشرة آلاف')).toEqual(['10000']);
    expect(fold('مئة ألف')).toEqual(['100000']);
    expect(fold('ألفين وواحد وعشرين')).toEqual(['2021']);
    expect(fold('ألف وتسعمائة وتسعة وثمانين')).toEqual(['1989']);
  });

  it('takes off the particles attached to a number word: و، ف، ب، ل، ك and the article', () => {
    expect(fold('بثلاثين')).toEqual(['30']);
    expect(fold('وثلاثين')).toEqual(['30']);
    expect(fold('والخامسة')).toEqual(['5']);
    expect(fold('للخامس')).toEqual(['5']);
    expect(fold('لأول مرة')).toEqual(['1', 'مره']);
    expect(fold('بالمئتين')).toEqual(['200']);
    expect(fold('وبخمسة')).toEqual(['5']);
  });

  it('reads Arabic-Indic digits, decimals and thousands separators', () => {
    expect(fold('٣٠')).toEqual(['30']);
    expect(fold('٢٫٥')).toEqual(['2.5']);
    expect(fold('2.5')).toEqual(['2.5']);
    expect(fold('3,500')).toEqual(['3500']);
    expect(fold('٣٬٥٠٠')).toEqual(['3500']);
    expect(fold('07')).toEqual(['7']);
  });

  it('reads digits multiplied by a scale word as one number', () => {
    expect(fold('3 آلاف')).toEqual(['3000']);
    expect(fold('25 ألف')).toEqual(['25000']);
  });

  it('writes a million and more as a count in its scale, the way news write amounts', () => {
    expect(fold('100 مليار دولار')).toEqual(['100', 'مليار', 'دولار']);
    expect(fold('مئة مليار دولار')).toEqual(['100', 'مليار', 'دولار']);
    expect(fold('100,000,000,000')).toEqual(['100', 'مليار']);
    expect(fold('2.5 مليار')).toEqual(['2.5', 'مليار']);
    expect(fold('ملياران ونصف')).toEqual(['2.5', 'مليار']);
    expect(fold('مليون و200 ألف')).toEqual(['1.2', 'مليون']);
    expect(fold('سبعة ملايين')).toEqual(['7', 'مليون']);
    expect(fold('مليار')).toEqual(['مليار']);
    expect(fold('1000000')).toEqual(['مليون']);
    expect(fold('ملايين الناس')).toEqual(['مليون', 'الناس']);
  });

  it('keeps separate numbers apart', () => {
    expect(fold('بين 5 و 10')).toEqual(['بين', '5', 'و', '10']);
    expect(fold('خمسة وخمسة')).toEqual(['5', '5']);
    expect(fold('عامي 2020 و2021')).toEqual(['عامي', '2020', 'و', '2021']);
    expect(fold('1.5.2021')).toEqual(['1', '5', '2021']);
  });

  it('drops "per cent" in words, as "%" is dropped', () => {
    expect(contentTerms('50 في المئة')).toEqual(contentTerms('50%'));
    expect(fold('خمسين بالمئة')).toEqual(['50']);
  });

  it('leaves words that only look like numbers', () => {
    expect(fold('يوم الاثنين')).toEqual(['يوم', 'الاثنين']); // Monday
    expect(fold('أحد الأشخاص')).toEqual(['احد', 'الاشخاص']); // "one of", not a number on its own
    expect(fold('آلاف المتظاهرين')).toEqual(['الاف', 'المتظاهرين']); // "thousands of"
    expect(fold('عشرات القتلى')).toEqual(['عشرات', 'القتلي']);
    expect(fold('لست أدري')).toEqual(['لست', 'ادري']); // "I am not", not "ل" + "ست"
    expect(fold('جيروم باول')).toEqual(['جيروم', 'باول']); // Powell
  });
});

describe('readDigits', () => {
  it('tells decimals from thousands separators', () => {
    expect(readDigits('2,5')).toBe(2.5);
    expect(readDigits('1,500')).toBe(1500);
    expect(readDigits('1.500.000')).toBe(1500000);
    expect(readDigits('1,234.5')).toBe(1234.5);
    expect(readDigits('1.234,5')).toBe(1234.5);
    expect(readDigits('1.5.2021')).toBeUndefined();
    expect(readDigits('12345678901234567890')).toBeUndefined();
  });
});

describe('numberTerms and numberWordTerm', () => {
  it('write a value as digits, or as a count and its scale from a million up', () => {
    expect(numberTerms(30)).toEqual(['30']);
    expect(numberTerms(999999)).toEqual(['999999']);
    expect(numberTerms(2.5e9)).toEqual(['2.5', 'مليار']);
    expect(numberTerms(1e12)).toEqual(['ترليون']);
  });

  it('give the term one word stands for', () => {
    expect(numberWordTerm(normalizeArabic('الخامسة'))).toBe('5');
    expect(numberWordTerm('ملايين')).toBe('مليون');
    expect(numberWordTerm('الاف')).toBeUndefined();
    expect(numberWordTerm('احد')).toBeUndefined();
    expect(numberWordTerm('كتاب')).toBeUndefined();
  });
});

describe('number words and digits meet in the analysis', () => {
  const meet = (a: string, b: string) => {
    const terms = new Set(contentTerms(b));
    return analyze(a).every((group) => group.some((t) => terms.has(t)));
  };

  it('matches a number in words with the same number in digits, both ways', () => {
    const pairs = [
      ['بعد ثلاثين يوما', 'بعد 30 يوما'],
      ['الدورة الخامسة', 'الدورة 5'],
      ['مئة مليار دولار', '100 مليار دولار'],
      ['خمسة وعشرين قتيلا', '25 قتيلا'],
      ['عام ألفين', 'عام 2000'],
      ['بلغت قيمتها مليار دولار', 'بلغت قيمتها 1,000,000,000 دولار'],
      ['الذكرى السبعين', 'الذكرى ٧٠'],
      ['للمرة الثالثة', 'للمرة 3'],
    ];
    for (const [inWords, inDigits] of pairs) {
      expect(meet(inWords, inDigits), `${inWords} → ${inDigits}`).toBe(true);
      expect(meet(inDigits, inWords), `${inDigits} → ${inWords}`).toBe(true);
    }
  });

  it('never makes a stop word of a number, however short', () => {
    expect(contentTerms('في اليوم الخامس')).toEqual(['يوم', '5']);
    expect(contentTerms('5 أيام')).toContain('5');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDate } from '../../src/corpus/dates.js';
import { parseArticleText, shortTitle } from '../../src/corpus/parse.js';
import { CORPUS_DIR } from '../helpers/paths.js';

const seed = (id: string) => readFileSync(join(CORPUS_DIR, `${id}.txt`), 'utf8');

describe('metadata of the seed articles', () => {
  it('reads outlet and date from a Xinhua dateline, and titles the article by its first sentence', () => {
    const a = parseArticleText(seed('000_a15eb1be77281f63'));
    expect(a.outlet).toBe('شينخوا');
    expect(a.date).toBe('2021-08-25');
    expect(a.title).toBe('أجرى الرئيس الصيني شي جين بينغ مكالمة هاتفية اليوم (الأربعاء) مع نظيره…');
    // The dateline is not part of the quoted text.
    expect(a.sentences[0].text.startsWith('أجرى الرئيس الصيني')).toBe(true);
  });

  it('leaves outlet and date empty where the article does not give them', () => {
    const a = parseArticleText(seed('001_affb6d0cda8cf843'));
    expect(a.outlet).toBe('');
    expect(a.date).toBe('');
    expect(a.title.startsWith('أكد الرئيس الصيني شي جينبينغ')).toBe(true);
  });

  it('takes a headline line as the title', () => {
    const a = parseArticleText(seed('002_26a9db706ec05ddb'));
    expect(a.title).toBe('الرئيسان الروسي والصيني: تعزيز الشراكة الاستراتيجية');
    expect(a.sentences[0].text.startsWith('ناقش الرئيسان')).toBe(true);
  });

  it('reads a scraped page: headline, publisher line, breadcrumb date; drops the page furniture', () => {
    const a = parseArticleText(seed('003_70567a16c9b3e8e4'));
    expect(a.title).toBe('وزير الخارجية الصيني يدعو إلى مواصلة الارتقاء بالعلاقات الصينية الروسية');
    expect(a.outlet).toBe('دار الهلال');
    expect(a.date).toBe('2021-07-16'); // the article's own date, not the page's "الأربعاء 25 سبتمبر 2024"
    const texts = a.sentences.map((s) => s.text);
    expect(texts.some((t) => /عرب وعالم|دار الهلال|^الصين وروسيا$|سبتمبر 2024/.test(t))).toBe(false);
    expect(texts[0].startsWith('قال عضو مجلس الدولة ووزير الخارجية الصيني وانج يي')).toBe(true);
  });

  it('drops a trailing share button', () => {
    const a = parseArticleText(seed('004_84ffc645cff79ea0'));
    expect(a.outlet).toBe('شينخوا');
    expect(a.date).toBe('2020-12-31');
    expect(a.sentences.some((s) => s.text.includes('مشاركة'))).toBe(false);
    expect(a.sentences.at(-1)?.text.startsWith('ومن جانبه، أعرب ميشوستين')).toBe(true);
  });

  it('keeps each sentence equal to the article text at its offsets', () => {
    for (const id of ['000_a15eb1be77281f63', '003_70567a16c9b3e8e4']) {
      const text = seed(id);
      for (const s of parseArticleText(text).sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
    }
  });
});

describe('parseArticleText on other shapes', () => {
  it('reads a dateline with an agency in brackets', () => {
    const a = parseArticleText('القاهرة - (أ ش أ) - أعلنت الحكومة اليوم خطة جديدة للنقل. وقالت إن التنفيذ يبدأ غدا.');
    expect(a.outlet).toBe('أ ش أ');
    expect(a.sentences[0].text).toBe('أعلنت الحكومة اليوم خطة جديدة للنقل.');
  });

  it('drops a headline repeated inside the body', () => {
    const a = parseArticleText(
      'افتتاح معرض الكتاب في القاهرة\n\nافتتح المعرض اليوم بحضور الوزير.\nافتتاح معرض الكتاب في القاهرة\nوشارك فيه مئات الناشرين.',
    );
    expect(a.title).toBe('افتتاح معرض الكتاب في القاهرة');
    expect(a.sentences.map((s) => s.text)).toEqual(['افتتح المعرض اليوم بحضور الوزير.', 'وشارك فيه مئات الناشرين.']);
  });

  it('quotes a Markdown subheading without its marks, and keeps a #hashtag as a word', () => {
    const text = '# افتتاح المعرض\n\nافتتح المعرض اليوم.\n\n## ردود الفعل\n\n#عاجل رحب الزوار بالمعرض.';
    const a = parseArticleText(text);
    expect(a.title).toBe('افتتاح المعرض');
    expect(a.sentences.map((s) => s.text)).toEqual(['افتتح المعرض اليوم.', 'ردود الفعل', '#عاجل رحب الزوار بالمعرض.']);
    expect(a.sentences.map((s) => text.slice(s.start, s.end))).toEqual(a.sentences.map((s) => s.text));
  });

  it('treats a front-matter body as clean text', () => {
    const a = parseArticleText('جملة قصيرة بلا نقطة\nوجملة ثانية.', { clean: true });
    expect(a.sentences.map((s) => s.text)).toEqual(['جملة قصيرة بلا نقطة', 'وجملة ثانية.']);
  });
});

describe('dates and titles', () => {
  it('reads written, Levantine and numeric dates', () => {
    expect(findDate('بكين 25 أغسطس 2021')).toBe('2021-08-25');
    expect(findDate('دمشق ٣ تشرين الأول ٢٠٢٠')).toBe('2020-10-03');
    expect(findDate('عرب وعالم16-7-2021 | 22:03')).toBe('2021-07-16');
    expect(findDate('2022-01-05')).toBe('2022-01-05');
    expect(findDate('بلا تاريخ')).toBe('');
  });

  it('shortens a long first sentence into a title', () => {
    expect(shortTitle('واحد اثنان ثلاثة.')).toBe('واحد اثنان ثلاثة');
    expect(shortTitle(Array.from({ length: 20 }, (_, i) => `كلمة${i}`).join(' ')).endsWith('…')).toBe(true);
  });
});

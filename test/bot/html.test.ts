import { describe, expect, it } from 'vitest';
import {
  cutText,
  fitQuote,
  highlightUnits,
  lineHtml,
  packMessages,
  quoteBlock,
  safeHref,
  sourceHtml,
} from '../../src/bot/html.js';
import { assertTelegramHtml } from '../helpers/telegram.js';

const source = { title: 'بوتين وشي يبحثان الوضع في أفغانستان', outlet: 'شينخوا', date: '2021-08-25' };

describe('source lines', () => {
  it('link the title to the article when it has an http(s) URL', () => {
    const html = sourceHtml({ ...source, url: 'https://example.org/news?id=1&lang=ar' });
    assertTelegramHtml(html);
    expect(html).toBe(
      '<i><a href="https://example.org/news?id=1&amp;lang=ar">بوتين وشي يبحثان الوضع في أفغانستان</a> — شينخوا · 2021-08-25</i>',
    );
  });

  it('stay plain text without a URL, or with one that is not http(s)', () => {
    const plain = '<i>بوتين وشي يبحثان الوضع في أفغانستان — شينخوا · 2021-08-25</i>';
    expect(sourceHtml(source)).toBe(plain);
    for (const url of ['javascript:alert(1)', 'tg://resolve?domain=x', 'data:text/html,x', '/relative', 'not a url']) {
      expect(sourceHtml({ ...source, url }), url).toBe(plain);
    }
  });

  it('escape an address so that it cannot leave its attribute', () => {
    const href = safeHref('https://example.org/a"><b>x</b>?q=<script>');
    expect(href).toBeDefined();
    expect(href).not.toMatch(/["<>]/);
    assertTelegramHtml(sourceHtml({ ...source, url: 'https://example.org/a"onmouseover="x' }));
  });

  it('isolate a Latin outlet so the date after it stays in its place in the Arabic line', () => {
    expect(sourceHtml({ ...source, outlet: 'Reuters' })).toBe(
      '<i>بوتين وشي يبحثان الوضع في أفغانستان — \u2068Reuters\u2069 · 2021-08-25</i>',
    );
  });

  it('link the other outlets that report a quote too', () => {
    const quote = {
      ...source,
      articleId: 'a',
      text: 'نص',
      sentenceIds: [1],
      sentences: ['نص'],
      score: 1,
      alsoIn: [{ articleId: 'b', title: 'عنوان', outlet: 'تاس', date: '', url: 'http://example.org/b' }],
    };
    const html = fitQuote(quoteBlock(quote, 'سؤال', 'وورد أيضا في:'));
    assertTelegramHtml(html);
    expect(html).toContain('وورد أيضا في: <a href="http://example.org/b">عنوان</a> — تاس');
  });
});

describe('cutText', () => {
  it('keeps text that fits, and cuts longer text between graphemes with an ellipsis', () => {
    expect(cutText('قصير', 10)).toBe('قصير');
    expect(cutText('abcdefghij', 5)).toBe('abcd…');
    // A family emoji is one grapheme of 8 UTF-16 units: never split.
    const cut = cutText(`ab👨‍👩‍👧cd`, 6);
    expect(cut).toBe('ab…');
  });
});

describe('highlightUnits', () => {
  it('escapes, bolds the question’s words by their stems, and never makes a unit over 200 characters of text', () => {
    const units = highlightUnits('قالت روسيا إن التجارة & النمو <مستمران>', 'ما حجم تجارة روسيا؟');
    expect(units.join('')).toBe('قالت <b>روسيا</b> إن <b>التجارة</b> &amp; النمو &lt;مستمران&gt;');
    const long = highlightUnits('ب'.repeat(450), '');
    expect(long.map((u) => u.length)).toEqual([200, 200, 50]);
  });
});

describe('packMessages', () => {
  const block = (text: string) => ({ body: highlightUnits(text, ''), tail: '\n— <i>مصدر</i>' });

  it('joins blocks into as few messages as fit, with the separator between them', () => {
    const messages = packMessages([block('أ'), block('ب'), lineHtml('سطر')], { limit: 200 });
    expect(messages).toEqual([
      '<blockquote>أ</blockquote>\n— <i>مصدر</i>\n\n<blockquote>ب</blockquote>\n— <i>مصدر</i>\n\nسطر',
    ]);
  });

  it('starts a new message when the next block would not fit', () => {
    const messages = packMessages([block('أ'.repeat(60)), block('ب'.repeat(60))], { limit: 120 });
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(120);
  });

  it('cuts a quote too long for one message between words, each part its own blockquote, the source under the last', () => {
    const text = Array.from({ length: 80 }, (_, i) => `كلمة${i}`).join(' ');
    const messages = packMessages([block(text)], { limit: 200 });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m.length).toBeLessThanOrEqual(200);
      expect(m.startsWith('<blockquote>')).toBe(true);
    }
    expect(messages.filter((m) => m.endsWith('<i>مصدر</i>'))).toHaveLength(1);
    expect(messages.map((m) => /<blockquote>([\s\S]*)<\/blockquote>/.exec(m)?.[1]).join('')).toBe(text);
  });
});

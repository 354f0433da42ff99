import { describe, expect, it } from 'vitest';
import { quoteHtml, safeHref, sourceHtml } from '../../src/bot/html.js';
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
    const html = quoteHtml(quote, 'سؤال', 'وورد أيضا في:');
    assertTelegramHtml(html);
    expect(html).toContain('وورد أيضا في: <a href="http://example.org/b">عنوان</a> — تاس');
  });
});

/**
 * Hostile input, the replies: quotes, titles and questions that would make
 * Telegram reject a message. Every reply is checked by telegram-rules.ts, the
 * way Telegram's parser checks it; random text is thrown at the reply
 * builder (fast-check) as well as the probes that once broke it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Quote } from '../../src/answering/quotes.js';
import { fitQuote, lineHtml, packMessages, quoteBlock } from '../../src/bot/html.js';
import { messageProblems, parseTelegramHtml } from '../helpers/telegram-rules.js';

function quote(text: string, title = 'عنوان', alsoIn: Quote['alsoIn'] = []): Quote {
  return {
    articleId: 'a',
    title,
    outlet: 'شينخوا',
    date: '2021-08-25',
    text,
    sentenceIds: [0],
    sentences: [text],
    score: 1,
    alsoIn,
  };
}

/** The quoted text a set of messages shows, blockquote by blockquote, joined. */
function quotedText(messages: string[]): string {
  return messages
    .flatMap((m) => [...m.matchAll(/<blockquote>([\s\S]*?)<\/blockquote>/g)].map((b) => parseTelegramHtml(b[1])))
    .join('')
    .replace(/…$/, '');
}

function expectValid(messages: string[]): void {
  expect(messages.length).toBeGreaterThan(0);
  for (const m of messages) expect(messageProblems(m, 'HTML')).toEqual([]);
}

describe('replies that Telegram once rejected', () => {
  it('a quote with a 6,500-character run without spaces is cut into valid messages, losing nothing', () => {
    const text = `قال المتحدث ${'ب'.repeat(6500)} ثم أضاف & <b> "كلاما" آخر.`;
    const messages = packMessages([quoteBlock(quote(text), 'المتحدث', 'وورد أيضا في:')]);
    expectValid(messages);
    expect(messages.length).toBeGreaterThan(1);
    expect(quotedText(messages)).toBe(text);
  });

  it('a 6,400-character title (with & in it) is cut in the source line, and the answer is sent', () => {
    const title = `عنوان & ${'طويل '.repeat(1280)}`;
    const messages = packMessages([
      quoteBlock(
        quote('جملة قصيرة للاختبار.', title, [{ articleId: 'b', title, outlet: '', date: '' }]),
        '',
        'وورد أيضا في:',
      ),
    ]);
    expectValid(messages);
    expect(messages).toHaveLength(1);
  });

  it('/sources lines are cut before they are escaped: never inside &amp;', () => {
    const lines = Array.from({ length: 40 }, (_, i) => lineHtml(`${i + 1}. ${'&'.repeat(600)} عنوان`));
    const messages = packMessages(['<b>المقالات المتاحة (40):</b>', ...lines], { separator: '\n' });
    expectValid(messages);
    expect(messages.join('\n').match(/&amp;/g)?.length).toBeGreaterThan(0);
  });

  it('an inline result is one valid message however long the quote', () => {
    const html = fitQuote(quoteBlock(quote(`${'كلمة '.repeat(3000)}&`), 'كلمة', 'وورد أيضا في:'));
    expect(messageProblems(html, 'HTML')).toEqual([]);
    expect(html.endsWith('</i>')).toBe(true);
  });
});

/** Text of the kinds a hostile article or question holds. */
const piece = fc.oneof(
  fc.constantFrom(
    'الصين',
    'روسيا',
    'بوتين',
    'تايوان',
    '٢٠٢١',
    '2021',
    'Putin',
    'Beijing',
    '&',
    '<',
    '>',
    '"',
    '&amp;',
    '<b>',
    '</blockquote>',
    '<a href="x">',
    '👍🏽',
    '👨‍👩‍👧',
    '\u200f',
    '\u2068',
    'é',
    '\n',
    ' ',
    '  ',
    '.',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('ب', 'x', '&', '<', '😀'), minLength: 100, maxLength: 900 }),
);
const text = fc.array(piece, { minLength: 1, maxLength: 60 }).map((parts) => parts.join(''));

describe('the reply builder, on random text (fast-check)', () => {
  it('always makes messages Telegram accepts, and loses no quoted character', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text, title: text, outlet: text }), { minLength: 1, maxLength: 5 }),
        text,
        (quotes, question) => {
          const withText = quotes.filter((q) => q.text.trim());
          fc.pre(withText.length > 0);
          const blocks = withText.map((q) =>
            quoteBlock({ ...quote(q.text, q.title), outlet: q.outlet }, question, 'وورد أيضا في:'),
          );
          const messages = packMessages(blocks);
          for (const m of messages) expect(messageProblems(m, 'HTML')).toEqual([]);
          expect(quotedText(messages)).toBe(withText.map((q) => q.text).join(''));
          for (const block of blocks) expect(messageProblems(fitQuote(block), 'HTML')).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

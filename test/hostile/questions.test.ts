/**
 * Questions with Markdown or HTML marks in them: before, an Arabic question
 * with `*…*`, `_…_`, `[…](http://x)` and `` `…` `` was refused as "not Arabic"
 * in Turkish, and with `<b>`/`<a>` tags in English. The built-in model, which
 * reads Arabic only, is the one that refused them.
 */
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../../src/answering/service.js';
import { plainQuestion } from '../../src/arabic/markup.js';
import { t, unsupportedLanguageText } from '../../src/i18n/i18n.js';
import { builtInEmbedder, openService, seedIndex } from '../helpers/fixtures.js';
import { botMessages, privateChat, startEmulator, startTestBot, type TestBot } from '../helpers/telegram.js';

const PLAIN = 'ما موقف روسيا من قضية تايوان؟';
const MARKED_UP = [
  'ما موقف *روسيا* من _قضية_ [تايوان](http://x) `code`؟',
  'ما موقف <b>روسيا</b> من <i>قضية</i> <a href="http://example.org/x">تايوان</a>؟',
  'ما ~~موقف~~ **روسيا** من __قضية__ ||تايوان|| https://t.me/some_channel/123؟',
  'ما موقف *روسيا* من _قضية_ [تايوان](https://www.example.com/news/world/asia/taiwan-russia-position)؟',
];

let service: AnswerService;
let indexDir: string;

beforeAll(async () => {
  const embedder = await builtInEmbedder();
  ({ indexDir } = await seedIndex(embedder));
  service = await openService(indexDir, embedder);
});

afterAll(() => service?.close());

describe('marked-up questions', () => {
  it('lose their marks and links, never their letters', () => {
    expect(plainQuestion(MARKED_UP[0])).toBe('ما موقف روسيا من قضية تايوان code؟');
    expect(plainQuestion(MARKED_UP[1])).toBe(PLAIN);
    expect(plainQuestion(MARKED_UP[2])).toBe(PLAIN);
    expect(plainQuestion(MARKED_UP[3])).toBe(PLAIN);
    expect(plainQuestion('a &amp; b &lt;c&gt;')).toBe('a & b <c>');
    expect(plainQuestion(PLAIN)).toBe(PLAIN);
  });

  for (const question of MARKED_UP) {
    it(`are answered as the plain question is (built-in model): ${question}`, async () => {
      const [plain, marked] = [await service.ask(PLAIN), await service.ask(question)];
      expect(marked.unsupportedLanguage).toBeUndefined();
      expect(marked.found).toBe(true);
      // The same first quote and the same further ones; two further quotes scored alike may swap, and a
      // further quote's neighbour on the edge of the quote unit's threshold may join one and not the other
      // (the first question keeps the word «code»): each further quote shares its sentences with one of the plain's.
      expect(marked.quotes[0].sentenceIds).toEqual(plain.quotes[0].sentenceIds);
      const further = (answer: typeof plain) => answer.quotes.slice(1).map((q) => q.sentenceIds);
      expect(further(marked).length).toBe(further(plain).length);
      for (const ids of further(marked))
        expect(
          further(plain).some((other) => other.some((id) => ids.includes(id))),
          ids.join(','),
        ).toBe(true);
      expect(marked.quotes[0].text).toContain('تايوان');
    });
  }
});

describe('Arabic questions naming people or things in Latin letters', () => {
  it('are searched, not refused as English (built-in model)', async () => {
    // More Latin letters than Arabic ones: counted by letters, this was refused as English.
    const answer = await service.ask('ما موقف Vladimir Putin من قضية Taiwan؟');
    expect(answer.unsupportedLanguage).toBeUndefined();
    expect(answer.found).toBe(true);
    expect(answer.quotes[0].text).toContain('تايوان');
    // Latin words that make an English sentence still get the reply in English.
    expect((await service.ask('ما هي the position of Russia on Taiwan؟')).unsupportedLanguage).toBe('en');
  });
});

describe('the refusal of a language the model cannot read', () => {
  it("is in the reader's Telegram language when there is a translation, else the question's, else English", () => {
    expect(unsupportedLanguageText('tr', 'ar')).toBe(t('ar', 'unsupported-language'));
    expect(unsupportedLanguageText('en', 'ar-EG')).toBe(t('ar', 'unsupported-language'));
    expect(unsupportedLanguageText('fr', 'en-GB')).toBe(t('en', 'unsupported-language'));
    expect(unsupportedLanguageText('fr', 'sw')).toBe(t('fr', 'unsupported-language'));
    expect(unsupportedLanguageText('sw')).toBe(t('en', 'unsupported-language'));
  });

  it('reaches a reader whose Telegram is in Arabic in Arabic, even for a question in English (the bot, built-in model)', async () => {
    let server: TelegramServer | undefined;
    let bot: TestBot | undefined;
    try {
      server = await startEmulator();
      bot = await startTestBot(server, indexDir, { service: await openService(indexDir, await builtInEmbedder()) });
      const client = privateChat(server, 71);
      await client.sendMessage(
        client.makeMessage('What did Putin say about Taiwan?', { from: { language_code: 'ar' } } as never),
      );
      const [reply] = await botMessages(client, 1);
      expect(reply.text).toBe(t('ar', 'unsupported-language').replace(/<[^>]+>/g, ''));
    } finally {
      await bot?.stop();
      await server?.stop();
    }
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../../src/answering/service.js';
import { t } from '../../src/i18n/i18n.js';
import { buildIndex } from '../../src/search/local/build.js';
import {
  CHUNKING,
  copyCorpus,
  indexedCopy,
  openService,
  seedIndex,
  tempDir,
  tinyEmbedder,
} from '../helpers/fixtures.js';
import {
  assertTelegramHtml,
  botMessages,
  noBotMessage,
  privateChat,
  sendSticker,
  startEmulator,
  startTestBot,
  type TestBot,
  TOKEN,
  waitForCall,
} from '../helpers/telegram.js';
import { eventually } from '../helpers/wait.js';

let indexDir: string;
let server: TelegramServer | undefined;
let bot: TestBot | undefined;
let nextId = 5000;

beforeAll(async () => {
  ({ indexDir } = await seedIndex(await tinyEmbedder()));
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && bot) {
    console.log(
      JSON.stringify(
        bot.calls
          .filter((c) => c.method !== 'getUpdates')
          .map((c) => [c.method, c.payload.chat_id, String(c.payload.text).slice(0, 30)]),
      ),
    );
    console.log(bot.logs.join('\n'));
  }
  await bot?.stop();
  await server?.stop();
  bot = undefined;
  server = undefined;
});

async function start(setup: Parameters<typeof startTestBot>[2] = {}, dir = indexDir) {
  server = await startEmulator();
  bot = await startTestBot(server, dir, setup);
  return { server, bot };
}

function groupMember(server: TelegramServer, chatId: number) {
  const id = nextId++;
  return server.getClient(TOKEN, {
    userId: id,
    chatId,
    firstName: 'علي',
    userName: `member${id}`,
    type: 'group',
    chatTitle: 'أخبار',
  });
}

function privateUser(server: TelegramServer) {
  const id = nextId++;
  return privateChat(server, id, 'منى');
}

describe('groups', () => {
  it('stays silent on ordinary group talk, answers /ask, mentions and replies to its own messages', async () => {
    const { server } = await start();
    const chatId = -nextId++;
    const member = groupMember(server, chatId);

    await member.sendMessage(member.makeMessage('صباح الخير يا جماعة، هل رأيتم أخبار الصين؟'));
    await noBotMessage(member);

    await member.sendMessage(member.makeMessage('/ask كم بلغت التجارة الثنائية بين الصين وروسيا؟'));
    const [asked] = await botMessages(member, 1);
    assertTelegramHtml(asked.text);
    expect(asked.text).toContain('100 مليار دولار');

    await member.sendCommand(member.makeCommand('/ask@TestNameBot ماذا قال بيسكوف؟'));
    const [withEntity] = await botMessages(member, 1);
    expect(withEntity.text).toContain('بيسكوف');

    await member.sendMessage(member.makeMessage('@TestNameBot من هو وزير الخارجية الصيني الذي التقى لافروف؟'));
    const [mentioned] = await botMessages(member, 1);
    expect(mentioned.text).toContain('وانج يي');

    await member.sendMessage(
      member.makeMessage('وماذا عن اللقاحات؟', {
        reply_to_message: {
          message_id: 1,
          from: { id: 666, is_bot: true, first_name: 'Test' },
          chat: { id: chatId, type: 'group', title: 'أخبار' },
          date: 0,
          text: 'x',
        },
      } as never),
    );
    const [replied] = await botMessages(member, 1);
    expect(replied.text).toMatch(/لقاح|لم أجد/);

    // A sticker in a group, and a command for another bot: silence.
    await sendSticker(member);
    await member.sendMessage(member.makeMessage('/ask@OtherBot سؤال'));
    await noBotMessage(member);
  });

  it('asks for the question when /ask comes alone', async () => {
    const { server } = await start();
    const member = groupMember(server, -nextId++);
    await member.sendMessage(member.makeMessage('/ask'));
    const [reply] = await botMessages(member, 1);
    expect(reply.text).toContain('اكتب السؤال بعد الأمر');
  });
});

describe('operations', () => {
  it('serves only ALLOWED_CHAT_IDS; others get a refusal and no answer', async () => {
    const { server } = await start({ allowedChatIds: new Set([4242]) });
    const allowed = privateChat(server, 4242, 'a');
    const stranger = privateUser(server);

    await stranger.sendMessage(stranger.makeMessage('كم بلغت التجارة الثنائية بين الصين وروسيا؟'));
    const [refusal] = await botMessages(stranger, 1);
    expect(refusal.text).toBe(t('ar', 'not-allowed'));
    await noBotMessage(stranger, 500);

    await allowed.sendMessage(allowed.makeMessage('كم بلغت التجارة الثنائية بين الصين وروسيا؟'));
    const [answer] = await botMessages(allowed, 1);
    expect(answer.text).toContain('100 مليار دولار');
  });

  it('keeps going after a failing update: the user gets an apology, the error is logged without the token', async () => {
    const embedder = await tinyEmbedder();
    const real = await openService(indexDir, embedder);
    // Fault injection: the first question fails inside the handler, as a bug would.
    let failures = 1;
    const flaky = Object.create(real) as AnswerService;
    flaky.ask = async (q, o) => {
      if (failures-- > 0) throw new Error(`boom while answering with ${TOKEN}`);
      return real.ask(q, o);
    };
    const { server, bot } = await start({ service: flaky });
    const user = privateUser(server);

    await user.sendMessage(user.makeMessage('كم بلغت التجارة الثنائية؟'));
    const [apology] = await botMessages(user, 1);
    expect(apology.text).toBe(t('ar', 'failure'));

    await user.sendMessage(user.makeMessage('كم بلغت التجارة الثنائية؟'));
    const [answer] = await botMessages(user, 1);
    expect(answer.text).toContain('100 مليار دولار');

    const logged = bot.logs.join('\n');
    expect(logged).toContain('update failed');
    expect(logged).toContain('boom while answering');
    expect(logged).not.toContain(TOKEN.split(':')[1]);
  });

  it('limits each user to RATE_LIMIT_PER_MINUTE questions with a polite reply', async () => {
    const { server } = await start({ rateLimitPerMinute: 2 });
    const user = privateUser(server);
    for (let i = 0; i < 3; i++) await user.sendMessage(user.makeMessage('كم بلغت التجارة الثنائية؟'));
    const replies = await botMessages(user, 3);
    expect(replies.filter((r) => r.text === t('ar', 'rate-limited'))).toHaveLength(1);
    expect(replies.filter((r) => r.text.includes('100 مليار دولار'))).toHaveLength(2);
    // Another user is not affected.
    const other = privateUser(server);
    await other.sendMessage(other.makeMessage('كم بلغت التجارة الثنائية؟'));
    expect((await botMessages(other, 1))[0].text).toContain('100 مليار دولار');
  });

  it('switches to a rebuilt index without a restart and without failing a question', async () => {
    const { corpus, indexDir: dir } = await indexedCopy('reload');
    const embedder = await tinyEmbedder();
    const { server, bot } = await start({}, dir);
    bot.service.watch(100);
    const user = privateUser(server);

    const question = 'ما هو موقف الكرملين من المحادثات مع الوفد الأوكراني في إسطنبول؟';
    await user.sendMessage(user.makeMessage(question));
    const [before] = await botMessages(user, 1);
    expect(before.text).not.toContain('إسطنبول');

    writeFileSync(
      join(corpus, '005_kremlin.txt'),
      'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مع الوفد الأوكراني في إسطنبول مستمرة وإن موقف الكرملين لم يتغير.\n',
    );
    // Questions keep coming while the index is rebuilt and swapped.
    const during = Array.from({ length: 5 }, () => user.sendMessage(user.makeMessage('كم بلغت التجارة الثنائية؟')));
    await buildIndex({ corpusDir: corpus, indexDir: dir, embedder, chunking: CHUNKING });
    await Promise.all(during);
    const duringReplies = await botMessages(user, 5);
    for (const r of duringReplies) expect(r.text).toContain('100 مليار دولار');

    await eventually(async () => (await bot.service.articles({ offset: 0, limit: 10 })).total >= 6, 5000);
    await user.sendMessage(user.makeMessage(question));
    const [after] = await botMessages(user, 1);
    expect(after.text).toContain('إسطنبول');
  });

  it('answers English questions with Arabic quotes when the model maps both languages together', async () => {
    // The tiny model shares vectors between a few English words and their Arabic translations;
    // MIN_SIMILARITY is set for it, as an operator would for a multilingual model.
    const service = await openService(indexDir, await tinyEmbedder(), 0.6);
    const { server } = await start({ service });
    const user = privateUser(server);
    await user.sendMessage(user.makeMessage('What did Putin wish the Chinese people for the new year?'));
    const [reply] = await botMessages(user, 1);
    assertTelegramHtml(reply.text);
    expect(reply.text).toMatch(/<blockquote>[^<]*[\u0600-\u06FF]/);
    expect(reply.text).toContain('بوتين');
  });

  it('offers the top quotes in inline mode (emulator has no inline queries: update injected, API call recorded)', async () => {
    const { bot } = await start();
    await bot.bot.handleUpdate({
      update_id: 1,
      inline_query: {
        id: 'iq1',
        from: { id: 77, is_bot: false, first_name: 'x' },
        query: 'كم بلغت التجارة الثنائية بين الصين وروسيا؟',
        offset: '',
      },
    });
    const call = await waitForCall(bot, (c) => c.method === 'answerInlineQuery');
    const results = call.payload.results as {
      type: string;
      title: string;
      description: string;
      input_message_content: { message_text: string; parse_mode: string };
    }[];
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.input_message_content.message_text.includes('100 مليار دولار'))).toBe(true);
    for (const r of results) {
      expect(r.type).toBe('article');
      expect(r.input_message_content.parse_mode).toBe('HTML');
      assertTelegramHtml(r.input_message_content.message_text);
    }
  });

  it('splits a reply over 4096 characters into several well-formed messages', async () => {
    const corpus = copyCorpus();
    const long = `${Array.from(
      { length: 120 },
      (_, i) => `وأكد المتحدث في البند ${i} أن التعاون الثنائي في مجال الطاقة النووية السلمية مستمر`,
    ).join(' و')}.`;
    writeFileSync(join(corpus, '009_long.txt'), `${long}\n`);
    const dir = join(tempDir('long'), 'embeddings');
    await buildIndex({ corpusDir: corpus, indexDir: dir, embedder: await tinyEmbedder(), chunking: CHUNKING });
    const { server } = await start({}, dir);
    const user = privateUser(server);
    await user.sendMessage(user.makeMessage('ماذا قال المتحدث عن التعاون في مجال الطاقة النووية السلمية؟'));
    const replies = await botMessages(user, 2);
    for (const r of replies) {
      expect(r.text.length).toBeLessThanOrEqual(4096);
      assertTelegramHtml(r.text);
    }
  });
});

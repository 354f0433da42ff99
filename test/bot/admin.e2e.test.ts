import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.js';
import { t } from '../../src/i18n/i18n.js';
import { lockIndexDir } from '../../src/search/local/location.js';
import { type ApiFront, startApiFront, type TestDocument } from '../helpers/api-front.js';
import { indexedCopy, openArchive, openService, tinyEmbedder } from '../helpers/fixtures.js';
import {
  type ApiCall,
  assertTelegramHtml,
  botMessages,
  privateChat,
  startEmulator,
  startTestBot,
  type TestBot,
  TOKEN,
} from '../helpers/telegram.js';

const EDITOR = 7001;
const READER_QUESTION = 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟';
const READER_ANSWER = '100 مليار دولار';
const KREMLIN_MD = `---
title: الكرملين يعلق على محادثات إسطنبول
source: تاس
date: 2022-03-02
url: https://example.org/news/kremlin?id=7&lang=ar
---
قال الكرملين إن المحادثات مع الوفد الأوكراني في إسطنبول مستمرة، وإن موقف الكرملين من المحادثات لم يتغير.
`;
const DUSHANBE_TXT =
  'دوشنبه 14 سبتمبر 2022 (شينخوا) أعلن وزير الطاقة الطاجيكي أن محطة روغون الكهرومائية ستبدأ تشغيل توربينها الثالث العام المقبل.\n';

let server: TelegramServer;
let front: ApiFront;
let bot: TestBot;
let corpus: string;
let indexDir: string;
let nextUser = 7100;
/** Opened by the test to let a held rebuild go on. */
let releaseBuild: (() => void) | undefined;
let held: Promise<void> | undefined;

/** The tiny model, with the passages of a rebuild held back while `held` is pending. */
function holdable(model: Embedder): Embedder {
  return {
    modelId: model.modelId,
    dimension: model.dimension,
    languages: model.languages,
    embedQuery: (text) => model.embedQuery(text),
    embedPassages: async (texts, onBatch) => {
      await held;
      return model.embedPassages(texts, onBatch);
    },
  };
}

function client(userId: number, languageCode?: string) {
  const c = privateChat(server, userId, 'هدى');
  const extra = languageCode ? { from: { language_code: languageCode } } : {};
  return {
    raw: c,
    say: (text: string) => c.sendMessage(c.makeMessage(text, extra as never)),
    send: (document: TestDocument) => {
      const message = c.makeMessage('', { ...extra, document } as never) as Record<string, unknown>;
      delete message.text;
      return c.sendMessage(message as never);
    },
  };
}

/** Every file of the corpus folder (dot-files too) with a hash of its bytes. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map(
      (name) =>
        `${name} ${createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')}`,
    );
}

/** The first Bot API call after `from` that matches. */
async function callAfter(from: number, test: (call: ApiCall) => boolean, timeoutMs = 20_000): Promise<ApiCall> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = bot.calls.slice(from).find(test);
    if (call) return call;
    if (Date.now() > deadline)
      throw new Error(`no matching call; calls: ${JSON.stringify(bot.calls.slice(from).map((c) => c.method))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The last edit of the editor's progress message: the text that starts with `firstLine`. */
const finalEdit = (from: number, firstLine: string) =>
  callAfter(
    from,
    (c) =>
      c.method === 'editMessageText' && c.payload.chat_id === EDITOR && String(c.payload.text).startsWith(firstLine),
  );

/** The editor actions logged as done, with the user id. */
function loggedActions(): { action: string; userId: number }[] {
  return bot.logs
    .map((line) => JSON.parse(line) as { msg: string; action?: string; userId?: number })
    .filter((l) => l.msg === 'editor action done')
    .map((l) => ({ action: String(l.action), userId: Number(l.userId) }));
}

beforeAll(async () => {
  ({ corpus, indexDir } = await indexedCopy('admin'));
  const model = await tinyEmbedder();
  server = await startEmulator();
  front = await startApiFront(server.config.apiURL, TOKEN);
  const service = await openService(indexDir, model);
  const archive = openArchive(corpus, service, holdable(model));
  bot = await startTestBot(server, indexDir, { service, archive, admins: new Set([EDITOR]), apiRoot: front.apiRoot });
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') console.log(bot.logs.join('\n'));
});

afterAll(async () => {
  releaseBuild?.();
  await bot?.stop();
  await front?.stop();
  await server?.stop();
});

describe('the reader’s language and the command menu', () => {
  it('sets the menu in Arabic and English, the editors’ commands in each editor’s chat (emulator has no setMyCommands: answered by the test’s API front)', () => {
    const menus = front.requests.filter((r) => r.method === 'setMyCommands').map((r) => r.payload);
    const commands = (payload: Record<string, unknown>) =>
      (payload.commands as { command: string; description: string }[]).map((c) => c.command);
    const arabic = menus.find((m) => !m.scope && !m.language_code);
    const english = menus.find((m) => !m.scope && m.language_code === 'en');
    expect(arabic?.commands).toContainEqual({ command: 'start', description: t('ar', 'command-start') });
    expect(english?.commands).toContainEqual({ command: 'start', description: t('en', 'command-start') });
    for (const menu of [arabic, english])
      expect(menu && commands(menu)).toEqual(['start', 'help', 'sources', 'ask', 'new']);
    const editor = menus.filter((m) => (m.scope as { chat_id?: number } | undefined)?.chat_id === EDITOR);
    expect(editor.map((m) => m.language_code)).toEqual([undefined, 'en']);
    for (const menu of editor)
      expect(commands(menu)).toEqual(expect.arrayContaining(['reindex', 'add', 'remove', 'new']));
    expect(bot.calls.filter((c) => c.method === 'setMyCommands')).toHaveLength(menus.length);
  });

  it('speaks English to a reader whose Telegram is in English; the quotes stay Arabic', async () => {
    const reader = client(nextUser++, 'en');
    await reader.say('/start');
    expect((await botMessages(reader.raw, 1))[0].text).toBe(t('en', 'welcome', { name: 'هدى' }));
    await reader.say('/help');
    expect((await botMessages(reader.raw, 1))[0].text).toBe(t('en', 'help'));
    await reader.say('ما هي عاصمة البرازيل؟');
    expect((await botMessages(reader.raw, 1))[0].text).toBe(t('en', 'not-found'));
    await reader.say(READER_QUESTION);
    const [answer] = await botMessages(reader.raw, 1);
    expect(answer.text).toContain(READER_ANSWER);
    expect(answer.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toContain(t('en', 'more'));
    await reader.say('/reindex');
    expect((await botMessages(reader.raw, 1))[0].text).toBe(t('en', 'admin-only'));
  });
});

describe('editors change the archive from the chat', () => {
  it('refuses everyone else politely, downloads and writes nothing, and logs the attempt', async () => {
    const strangerId = nextUser++;
    const stranger = client(strangerId);
    const before = snapshot(corpus);
    const live = bot.service.version;
    const document = front.addFile('intruder.txt', Buffer.from(DUSHANBE_TXT));
    await stranger.say('/reindex');
    await stranger.say(`/add ${DUSHANBE_TXT}`);
    await stranger.say('/remove 000_a15eb1be77281f63');
    await stranger.send(document);
    const replies = await botMessages(stranger.raw, 4);
    expect(replies.map((r) => r.text)).toEqual(Array(4).fill(t('ar', 'admin-only')));
    expect(front.requests.filter((r) => r.method === 'getFile' || r.method === 'download')).toEqual([]);
    expect(snapshot(corpus)).toEqual(before);
    expect(bot.service.version).toBe(live);
    const refusals = bot.logs.filter(
      (l) => l.includes('editor command refused') && l.includes(`"userId":${strangerId}`),
    );
    expect(refusals).toHaveLength(4);
  });

  it('adds by document and by /add text, rebuilds, removes, while another reader keeps asking and is answered (emulator has no getFile: file served by the test)', async () => {
    const editor = client(EDITOR);
    const reader = client(nextUser++);
    let working = true;
    const answered: string[] = [];
    const asking = (async () => {
      while (working) {
        await reader.say(READER_QUESTION);
        answered.push((await botMessages(reader.raw, 1))[0].text);
      }
    })();

    // 1. A .md document with front matter: downloaded through getFile and the file URL.
    let from = bot.calls.length;
    await editor.send(front.addFile('Kremlin Istanbul.md', Buffer.from(KREMLIN_MD)));
    await botMessages(editor.raw, 1); // one message, edited from "downloading" to the result
    const sent = await callAfter(from, (c) => c.method === 'sendMessage' && c.payload.chat_id === EDITOR);
    expect(sent.payload.text).toBe(t('ar', 'add-downloading'));
    const added = await finalEdit(
      from,
      t('ar', 'add-done', { title: '', outlet: '', date: '', id: '' }).split('\n')[0],
    );
    expect(String(added.payload.text)).toContain(
      t('ar', 'add-done', {
        title: 'الكرملين يعلق على محادثات إسطنبول',
        outlet: 'تاس',
        date: '2022-03-02',
        id: 'kremlin-istanbul',
      }),
    );
    expect(front.requests.map((r) => r.method)).toEqual(expect.arrayContaining(['getFile', 'download']));
    expect(readFileSync(join(corpus, 'kremlin-istanbul.md'), 'utf8')).toBe(KREMLIN_MD);

    // Answered from the new article at once, its source linking to its URL.
    const asker = client(nextUser++);
    await asker.say('ما موقف الكرملين من المحادثات مع الوفد الأوكراني في إسطنبول؟');
    const [fresh] = await botMessages(asker.raw, 1);
    assertTelegramHtml(fresh.text);
    expect(fresh.text).toContain('<a href="https://example.org/news/kremlin?id=7&amp;lang=ar">');

    // 2. Plain text after /add: outlet and date read from its dateline.
    from = bot.calls.length;
    await editor.say(`/add\n${DUSHANBE_TXT}`);
    await botMessages(editor.raw, 1);
    const saved = String(
      (await callAfter(from, (c) => c.method === 'sendMessage' && c.payload.chat_id === EDITOR)).payload.text,
    );
    const id = /2022-09-14-[0-9a-f]{8}/.exec(saved)?.[0];
    expect(saved).toBe(t('ar', 'add-saved', { id: String(id) }));
    const addedText = String(
      (await finalEdit(from, t('ar', 'add-done', { title: '', outlet: '', date: '', id: '' }).split('\n')[0])).payload
        .text,
    );
    expect(addedText).toContain('\u2068شينخوا\u2069 · \u20682022-09-14\u2069');
    expect(existsSync(join(corpus, `${id}.txt`))).toBe(true);

    // 3. /reindex after a file was changed on disk: one message, edited with the progress and the figures; a second /reindex meanwhile is told one is running.
    appendFileSync(join(corpus, '003_70567a16c9b3e8e4.txt'), '\nوأكد الوزير أن اللقاء كان مثمرا وبناء.\n');
    held = new Promise<void>((resolve) => {
      releaseBuild = resolve;
    });
    from = bot.calls.length;
    await editor.say('/reindex');
    const [started] = await botMessages(editor.raw, 1);
    expect(started.text).toBe(t('ar', 'reindex-started'));
    await editor.say('/reindex');
    expect((await botMessages(editor.raw, 1))[0].text).toBe(t('ar', 'admin-busy'));
    await new Promise((r) => setTimeout(r, 2200)); // longer than the pause between two progress edits
    releaseBuild?.();
    held = undefined;
    const done = await finalEdit(from, t('ar', 'reindex-done'));
    const figures = t('ar', 'build-figures', { articles: 7, added: 0, changed: 1, removed: 0, seconds: 'S' });
    expect(String(done.payload.text)).toContain(figures.slice(0, figures.indexOf('\u2068S')));
    const edits = bot.calls.slice(from).filter((c) => c.method === 'editMessageText' && c.payload.chat_id === EDITOR);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(String(edits[0].payload.text)).toMatch(/^⏳/);
    expect(new Set(edits.map((e) => e.payload.message_id))).toEqual(new Set([edits[0].payload.message_id]));

    // 4. /remove the text article: its file leaves the corpus, the index follows.
    from = bot.calls.length;
    await editor.say(`/remove ${id}`);
    await botMessages(editor.raw, 1);
    const removing = await callAfter(from, (c) => c.method === 'sendMessage' && c.payload.chat_id === EDITOR);
    expect(removing.payload.text).toBe(t('ar', 'remove-started', { id: String(id) }));
    const removed = String((await finalEdit(from, '✅')).payload.text);
    expect(removed).toContain(
      t('ar', 'build-figures', { articles: 6, added: 0, changed: 0, removed: 1, seconds: 'S' }).split('\u2068S')[0],
    );
    expect(existsSync(join(corpus, `${id}.txt`))).toBe(false);
    expect(await bot.service.article(String(id))).toBeUndefined();

    working = false;
    await asking;
    expect(answered.length).toBeGreaterThanOrEqual(3);
    for (const text of answered) expect(text).toContain(READER_ANSWER);
    expect(loggedActions()).toEqual(
      expect.arrayContaining(['add', 'add', 'reindex', 'remove'].map((action) => ({ action, userId: EDITOR }))),
    );
  });

  it('tells the editor why an article is refused, and writes nothing', async () => {
    const editor = client(EDITOR);
    const before = snapshot(corpus);
    /** The bot's answer to one message: a reply, or the last edit of its "downloading" message. */
    const answer = async (send: () => Promise<unknown>, expected: string) => {
      const from = bot.calls.length;
      await send();
      const call = await callAfter(
        from,
        (c) =>
          (c.method === 'sendMessage' || c.method === 'editMessageText') &&
          c.payload.chat_id === EDITOR &&
          c.payload.text !== t('ar', 'add-downloading'),
      );
      expect(String(call.payload.text)).toBe(expected);
      await botMessages(editor.raw, 1);
    };
    await answer(() => editor.send(front.addFile('notes.pdf', Buffer.from('%PDF-1.4'))), t('ar', 'add-bad-type'));
    await answer(
      () => editor.send(front.addFile('latin1.txt', Buffer.from([0x41, 0xe9, 0xff, 0x0a]))),
      t('ar', 'add-not-utf8'),
    );
    await answer(
      () => editor.say('/add ---js\nmodule.exports = { title: "x" }\n---\nنص.'),
      t('ar', 'add-bad-front-matter', { reason: 'front matter in "js" is refused: only YAML is read' }),
    );
    await answer(
      () => editor.send(front.addFile('000_a15eb1be77281f63.txt', Buffer.from(DUSHANBE_TXT))),
      t('ar', 'add-exists', { id: '000_a15eb1be77281f63' }),
    );
    await answer(
      () => editor.say('/remove ../corpus/000_a15eb1be77281f63'),
      t('ar', 'remove-not-found', { id: '../corpus/000_a15eb1be77281f63' }),
    );
    expect(snapshot(corpus)).toEqual(before);
  });

  it('tells the editor politely when another process is building the index', async () => {
    const editor = client(EDITOR);
    const unlock = await lockIndexDir(indexDir);
    try {
      const from = bot.calls.length;
      await editor.say('/reindex');
      await botMessages(editor.raw, 1);
      expect((await finalEdit(from, t('ar', 'admin-locked'))).payload.text).toBe(t('ar', 'admin-locked'));
    } finally {
      await unlock();
    }
  });
});

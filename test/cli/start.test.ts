import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMPT } from '../../src/cli/console-chat.js';
import { DEFAULT_LOCALE, t, unsupportedLanguageText } from '../../src/i18n/i18n.js';
import { startApiFront } from '../helpers/api-front.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { builtInModelEnv, copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { botMessages, freePort, privateChat, startEmulator, TOKEN } from '../helpers/telegram.js';

/** `npm start` on a machine of its own: a copy of the corpus, no index yet, its own data folder. */
function freshInstall(extra: Record<string, string>): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('start');
  const env = tinyModelEnv({
    CORPUS_DIR: copyCorpus(),
    INDEX_DIR: join(dir, 'embeddings'),
    DATA_DIR: join(dir, 'data'),
    ...extra,
  });
  return { dir, env };
}

describe('npm start', () => {
  it('on a fresh machine (no model settings, no network): builds with the built-in model and answers Arabic; English gets the explanation', async () => {
    const dir = tempDir('fresh');
    const env = builtInModelEnv({
      CORPUS_DIR: copyCorpus(),
      INDEX_DIR: join(dir, 'embeddings'),
      DATA_DIR: join(dir, 'data'),
      TELEGRAM_BOT_TOKEN: '',
    });
    const result = await runCli(
      'start',
      [],
      env,
      "من هو وزير الخارجية الصيني الذي التقى لافروف؟\nWhat is the Kremlin spokesman's name?\n\n",
    );
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1\. «.*وانج يي/);
    expect(result.stdout).toContain(unsupportedLanguageText('en'));
  });

  it('without a token: builds the index if there is none, then chats in the terminal', async () => {
    const { dir, env } = freshInstall({ TELEGRAM_BOT_TOKEN: '' });
    const result = await runCli('start', [], env, 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟\n\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No TELEGRAM_BOT_TOKEN set');
    expect(result.stdout).toContain('TELEGRAM_BOT_TOKEN=');
    expect(result.stdout).toMatch(/1\. «.*100 مليار دولار/);
    expect(existsSync(join(dir, 'embeddings', 'CURRENT'))).toBe(true);
  });

  it('in the terminal chat, a follow-up leans on the question before, and /new forgets it, as in the bot', async () => {
    const { env } = freshInstall({ TELEGRAM_BOT_TOKEN: '' });
    const questions = ['ماذا قال بيسكوف عن أفغانستان؟', 'ومتى قال ذلك؟', '/new', 'ومتى قال ذلك؟', ''];
    const result = await runCli('start', [], env, `${questions.join('\n')}\n`);
    expect(result.code).toBe(0);
    const understood = t(DEFAULT_LOCALE, 'understood-as', { question: 'متى قال بيسكوف عن أفغانستان؟' });
    expect(result.stdout.split(understood)).toHaveLength(2); // once: before /new, not after
    expect(result.stdout).toContain(t(DEFAULT_LOCALE, 'new-conversation'));
  });

  it('in the terminal chat, an unknown command shows the commands again, and /quit ends the chat', async () => {
    const { env } = freshInstall({ TELEGRAM_BOT_TOKEN: '' });
    const lines = ['/help', '/quit', 'ماذا قال بيسكوف عن أفغانستان؟', ''];
    const result = await runCli('start', [], env, `${lines.join('\n')}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout.split(PROMPT)).toHaveLength(3); // at the start, and after /help
    expect(result.stdout).not.toContain('بيسكوف'); // /quit ended the chat before the question
  });

  it('prints its help with --help instead of opening the chat', async () => {
    const { env } = freshInstall({ TELEGRAM_BOT_TOKEN: '' });
    const result = await runCli('start', ['--help'], env, 'ماذا قال بيسكوف عن أفغانستان؟\n\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: start/);
    expect(result.stdout).not.toContain('No TELEGRAM_BOT_TOKEN set');
  });

  it('with a token: runs the bot against TELEGRAM_API_ROOT and stops cleanly on SIGTERM, never logging the token', async () => {
    const server = await startEmulator();
    const { env } = freshInstall({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: server.config.apiURL,
      LOG_LEVEL: 'debug',
    });
    const bot = new CliProcess('start', [], env);
    try {
      const client = privateChat(server, 31);
      await client.sendMessage(client.makeMessage('ماذا قال بيسكوف عن أفغانستان؟'));
      const [reply] = await botMessages(client, 1, 60_000);
      expect(reply.text).toContain('بيسكوف');
    } finally {
      const code = await bot.stop();
      await server.stop();
      expect(code).toBe(0);
    }
    expect(bot.output).toContain('bot running (long polling)');
    expect(bot.output).toContain('stopped');
    expect(bot.output).not.toContain(TOKEN.split(':')[1]);
  });

  it('with WEBHOOK_URL: registers the webhook and answers the updates posted to it', async () => {
    const server = await startEmulator();
    const port = await freePort();
    const bot = new CliProcess(
      'start',
      [],
      freshInstall({
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: server.config.apiURL,
        WEBHOOK_URL: `http://127.0.0.1:${port}/telegram`,
        WEBHOOK_PORT: String(port),
        WEBHOOK_ALLOW_UNSIGNED: 'true', // the emulator does not send secret_token
        LOG_LEVEL: 'info',
      }).env,
    );
    try {
      await bot.printed('bot running (webhook)');
      const client = privateChat(server, 32);
      // The emulator posts the update to the registered webhook.
      await client.sendMessage(client.makeMessage('من هو وزير الخارجية الصيني الذي التقى لافروف؟'));
      const [reply] = await botMessages(client, 1);
      expect(reply.text).toContain('وانج يي');
    } finally {
      const code = await bot.stop('SIGINT');
      await server.stop();
      expect(code).toBe(0);
    }
  });

  it('with ADMIN_USER_IDS: sets the command menu and lets an editor add an article to the running bot (emulator has no setMyCommands: answered by the test’s API front)', async () => {
    const server = await startEmulator();
    const front = await startApiFront(server.config.apiURL, TOKEN);
    const corpus = copyCorpus();
    const { env } = freshInstall({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: front.apiRoot,
      CORPUS_DIR: corpus,
      ADMIN_USER_IDS: '33',
      LOG_LEVEL: 'info',
    });
    const bot = new CliProcess('start', [], env);
    try {
      const editor = privateChat(server, 33);
      await editor.sendMessage(
        editor.makeMessage('/add موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات في إسطنبول مستمرة.'),
      );
      await botMessages(editor, 1, 60_000);
      await bot.printed('editor action done', 30_000);
      expect(readdirSync(corpus).filter((f) => f.startsWith('2022-03-02-'))).toHaveLength(1);
      await editor.sendMessage(editor.makeMessage('ماذا قال الكرملين عن المحادثات في إسطنبول؟'));
      const [answer] = await botMessages(editor, 1);
      expect(answer.text).toContain('إسطنبول');
      const menus = front.requests.filter((r) => r.method === 'setMyCommands').map((r) => r.payload);
      expect(menus.map((m) => [m.language_code, (m.scope as { chat_id?: number } | undefined)?.chat_id])).toEqual([
        [undefined, undefined],
        [undefined, 33],
        ['en', undefined],
        ['en', 33],
      ]);
      expect(bot.output).toMatch(/"userId":33,"action":"add".*"msg":"editor action done"/);
    } finally {
      const code = await bot.stop();
      await front.stop();
      await server.stop();
      expect(code).toBe(0);
    }
  });

  it('says clearly when Telegram rejects the token (a local server answering 401, as Telegram does)', async () => {
    const telegram = createServer((_req, res) => {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
    });
    const port = await freePort();
    await new Promise<void>((r) => telegram.listen(port, '127.0.0.1', r));
    try {
      const result = await runCli(
        'start',
        [],
        freshInstall({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` }).env,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Error: Telegram rejected TELEGRAM_BOT_TOKEN');
      expect(result.stderr).not.toContain(TOKEN.split(':')[1]);
    } finally {
      telegram.close();
    }
  });
});

/**
 * A damaged state database (DATA_DIR/state.lmdb): before, the bot died at
 * start with "Bus error" or "Segmentation fault" and no line of output. Now
 * the damaged file is set aside, named in one line, and the bot starts with
 * a fresh state. The real bot (`npm start`) against the Bot API emulator.
 */
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedState } from '../../src/bot/state/state.js';
import { createLogger } from '../../src/log.js';
import { type CliProcess, runCli } from '../helpers/cli.js';
import { seedIndex, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';
import { botMessages, privateChat, startBotProcess, startEmulator, TOKEN } from '../helpers/telegram.js';

/** These tests start the program as processes: time for a busy two-core machine. */
const PROCESS_TIMEOUT_MS = 180_000;

let indexDir: string;
/** A healthy state database with a few thousand entries. */
let healthy: string;
let emulator: TelegramServer | undefined;
let bot: CliProcess | undefined;

beforeAll(async () => {
  ({ indexDir } = await seedIndex(await tinyEmbedder()));
  const dir = tempDir('state-healthy');
  const state = openEmbeddedState({ dataDir: dir, logger: createLogger('silent') });
  const store = state.storage<string>('notes', 60_000);
  await Promise.all(Array.from({ length: 3000 }, (_, i) => store.write(`k${i}`, `${'ملاحظة '.repeat(20)}${i}`)));
  await state.close();
  healthy = join(dir, 'state.lmdb');
});

afterEach(async () => {
  await bot?.stop();
  await emulator?.stop();
  bot = undefined;
  emulator = undefined;
});

/** A DATA_DIR holding a copy of the healthy database, damaged by `damage`. */
function damagedDataDir(damage: (file: string) => void): string {
  const dataDir = join(tempDir('state-damaged'), 'data');
  mkdirSync(dataDir);
  const file = join(dataDir, 'state.lmdb');
  copyFileSync(healthy, file);
  damage(file);
  return dataDir;
}

const damages: Record<string, (file: string) => void> = {
  'truncated to half (was: Bus error, exit 135)': (file) => truncateSync(file, Math.floor(statSync(file).size / 2)),
  'its first 8 KB overwritten (was: Segmentation fault, exit 139)': (file) => {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x41), 0, 8192, 0);
    closeSync(fd);
  },
  emptied: (file) => truncateSync(file, 0),
};

/** `npm start` (polling) on `dataDir` against the emulator, until it runs. */
async function startBot(dataDir: string): Promise<CliProcess> {
  emulator = await startEmulator();
  bot = await startBotProcess(emulator.config.apiURL, { INDEX_DIR: indexDir, DATA_DIR: dataDir });
  return bot;
}

describe('a damaged state database', { timeout: PROCESS_TIMEOUT_MS }, () => {
  for (const [how, damage] of Object.entries(damages)) {
    it(`${how}: set aside and named in one line; the bot starts with a fresh state and answers`, async () => {
      const dataDir = damagedDataDir(damage);
      const logs = (await startBot(dataDir)).output;
      const damagedLines = logs.split('\n').filter((l) => l.includes('state database damaged'));
      expect(damagedLines).toHaveLength(1);
      const aside = readdirSync(dataDir).find((f) => f.startsWith('state.lmdb.damaged-'));
      expect(aside).toBeDefined();
      expect(damagedLines[0]).toContain(join(dataDir, aside as string));

      const client = privateChat(emulator as TelegramServer, 61);
      await client.sendMessage(client.makeMessage('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟'));
      const [reply] = await botMessages(client, 1);
      expect(reply.text).toContain('100 مليار دولار');
      // The fresh state works: the answer's buttons were stored in it.
      expect(reply.reply_markup?.inline_keyboard.flat().length).toBeGreaterThan(0);
      expect(statSync(join(dataDir, 'state.lmdb')).size).toBeGreaterThan(0);
    });
  }

  it('a healthy one is kept as it is', async () => {
    const dataDir = damagedDataDir(() => undefined);
    const started = await startBot(dataDir);
    expect(started.output).not.toContain('state database damaged');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('state.lmdb.damaged'))).toEqual([]);
  });

  it('DATA_DIR pointing at a regular file: one line naming it, no stack trace', async () => {
    const file = join(tempDir('state-file'), 'data');
    writeFileSync(file, 'not a folder');
    const result = await runCli(
      'start',
      [],
      tinyModelEnv({
        INDEX_DIR: indexDir,
        DATA_DIR: file,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:1',
      }),
    );
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain('is a file, not a folder');
    expect(lines[0]).not.toMatch(/\bat \//);
  });
});

import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll } from 'vitest';
import { seedIndex, tinyEmbedder } from './fixtures.js';
import { startEmulator, startTestBot, type TestBot } from './telegram.js';

/** The emulator and our bot long-polling it over the seed index, shared by the tests of one file. */
export interface SeedBot {
  readonly server: TelegramServer;
  readonly bot: TestBot;
  /** Stops the bot and starts a new one on the same state folder: what a restarted process finds. */
  restart(): Promise<void>;
}

/** A SeedBot for the tests of one file: started before them, stopped after. */
export function seedBotForTests(): SeedBot {
  let server: TelegramServer | undefined;
  let bot: TestBot | undefined;
  let indexDir = '';
  beforeAll(async () => {
    ({ indexDir } = await seedIndex(await tinyEmbedder()));
    server = await startEmulator();
    bot = await startTestBot(server, indexDir);
  });
  afterAll(async () => {
    await bot?.stop();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('the bot is started in beforeAll: use it from a test');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get bot() {
      return started(bot);
    },
    async restart() {
      const before = started(bot);
      await before.stop();
      bot = await startTestBot(started(server), indexDir, { stateDir: before.stateDir });
    },
  };
}

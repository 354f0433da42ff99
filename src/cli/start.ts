/**
 * npm start
 *
 * Builds the index if there is none (or it was made with another model),
 * then runs the Telegram bot; without a token, a chat in the terminal with
 * the same answers.
 */
import { ArchiveService } from '../answering/archive.js';
import { launchBot } from '../bot/launch.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { command } from './command.js';
import { consoleChat } from './console-chat.js';
import { runCli } from './run.js';
import { openEmbedder, openOrBuild } from './setup.js';

const NO_TOKEN =
  'No TELEGRAM_BOT_TOKEN set: starting a chat in the terminal instead.\n' +
  'To run the Telegram bot, get a token from @BotFather and put TELEGRAM_BOT_TOKEN=... in .env (see .env.example).\n\n';

command(
  'start',
  'Run the Telegram bot (TELEGRAM_BOT_TOKEN), or a chat in the terminal without a token. ' +
    'Builds the index first when there is none. Settings come from the environment or .env (see .env.example).',
).parse();

runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const embedder = await openEmbedder(config);
  const service = await openOrBuild(config, embedder, logger, {
    onReload: (version) => logger.info({ version }, 'switched to the new index'),
    onReloadError: (error) =>
      logger.error({ err: error.message }, 'new index could not be opened; keeping the old one'),
  });
  service.watch();

  if (!config.telegram.token) {
    process.stdout.write(NO_TOKEN);
    await consoleChat(service, config.answerCount);
    service.close();
    return;
  }
  // Editors change the archive from the chat, and FEEDS are followed into it: the same corpus, index and model as here.
  const archive =
    config.telegram.adminUserIds || config.ingest.feeds.length > 0
      ? new ArchiveService({
          corpusDir: config.corpusDir,
          embedder,
          chunking: config.chunking,
          maxArticleBytes: config.maxArticleBytes,
          service,
        })
      : undefined;
  await launchBot(config, config.telegram.token, service, logger, { archive });
});

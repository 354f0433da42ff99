/**
 * npm start
 *
 * Builds the index if there is none, then runs the Telegram bot; without a
 * token, a chat in the terminal with the same answers.
 */
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createEmbedder } from '../embedding/embedder.js';
import { buildIndex } from '../index/build.js';
import { currentBuildDir } from '../index/location.js';
import { AnswerService } from '../answering/service.js';
import { ButtonStore } from '../bot/button-store.js';
import { consoleChat } from '../bot/console-chat.js';
import { createBot } from '../bot/create-bot.js';
import { startPolling, startWebhook } from '../bot/run.js';
import { createLogger } from '../log.js';
import { runCli, UsageError } from './run.js';
import { GrammyError } from 'grammy';

runCli(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const embedder = await createEmbedder(config.embedding);

  if (!(await currentBuildDir(config.indexDir))) {
    logger.info({ corpus: config.corpusDir }, 'no index yet: building it');
    const report = await buildIndex({
      corpusDir: config.corpusDir,
      indexDir: config.indexDir,
      embedder,
      chunking: config.chunking,
      onSkip: ({ file, reason }) => logger.warn({ file, reason }, 'article skipped'),
    });
    logger.info({ articles: report.articles, sentences: report.sentences, seconds: report.seconds }, 'index built');
  }

  const answers = await AnswerService.open(config.indexDir, embedder, {
    minSimilarity: config.minSimilarity,
    onReload: (dir) => logger.info({ dir }, 'switched to the new index'),
    onReloadError: (error) => logger.error({ err: error.message }, 'new index could not be opened; keeping the old one'),
  });
  answers.watch();

  const { token } = config.telegram;
  if (!token) {
    process.stdout.write(
      'No TELEGRAM_BOT_TOKEN set: starting a chat in the terminal instead.\n' +
        'To run the Telegram bot, get a token from @BotFather and put TELEGRAM_BOT_TOKEN=... in .env (see .env.example).\n\n',
    );
    await consoleChat(answers, config.answerCount);
    answers.close();
    return;
  }

  const bot = createBot({
    token,
    apiRoot: config.telegram.apiRoot,
    allowedChatIds: config.telegram.allowedChatIds,
    rateLimitPerMinute: config.telegram.rateLimitPerMinute,
    answers,
    buttons: new ButtonStore(join(config.dataDir, 'buttons.json')),
    logger,
    answerCount: config.answerCount,
  });
  const { webhookUrl, webhookPort, webhookSecret } = config.telegram;
  const running = await (webhookUrl
    ? startWebhook(bot, logger, { url: webhookUrl, port: webhookPort, secret: webhookSecret })
    : startPolling(bot, logger)
  ).catch((error: unknown) => {
    answers.close(); // nothing left to run: let the process end
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
      throw new UsageError('Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather in .env.');
    }
    throw error;
  });

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    answers.close();
    await running.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
});

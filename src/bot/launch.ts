import { GrammyError } from 'grammy';
import type { ArchiveService } from '../answering/archive.js';
import type { AnswerService } from '../answering/service.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { type Logger, redactSecrets } from '../log.js';
import { createBot } from './create-bot.js';
import { setCommandMenu } from './menu.js';
import { type RunningBot, startPolling, startWebhook } from './run.js';
import { openState } from './state/state.js';

/** Telegram refused the bot token. */
export class TokenRejectedError extends UserError {
  override readonly name = 'TokenRejectedError';

  constructor() {
    super('Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather in .env.');
  }
}

/**
 * Runs the Telegram bot until SIGINT or SIGTERM: long polling, or a webhook
 * server when WEBHOOK_URL is set; state embedded in DATA_DIR, or in Redis
 * when REDIS_URL is set. Stops cleanly, letting updates under way finish.
 * With `archive`, ADMIN_USER_IDS may change the archive from the chat.
 */
export async function launchBot(
  config: Config,
  token: string,
  service: AnswerService,
  logger: Logger,
  { archive }: { archive?: ArchiveService } = {},
): Promise<void> {
  const state = await openState({ dataDir: config.dataDir, redisUrl: config.redisUrl, logger });
  const bot = createBot({
    token,
    apiRoot: config.telegram.apiRoot,
    allowedChatIds: config.telegram.allowedChatIds,
    rateLimitPerMinute: config.telegram.rateLimitPerMinute,
    service,
    state,
    logger,
    answerCount: config.answerCount,
    admins: config.telegram.adminUserIds,
    archive,
  });
  const { webhookUrl, webhookPort, webhookSecret, webhookConcurrency } = config.telegram;
  let running: RunningBot;
  try {
    running = await (webhookUrl
      ? startWebhook(bot, logger, {
          url: webhookUrl,
          port: webhookPort,
          secret: webhookSecret,
          concurrency: webhookConcurrency,
          leases: state.leases,
        })
      : startPolling(bot, logger));
  } catch (error) {
    service.close(); // nothing left to run: let the process end
    await state.close();
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404))
      throw new TokenRejectedError();
    throw error;
  }

  void setCommandMenu(bot.api, logger, config.telegram.adminUserIds);

  // One update's failure is logged by the bot; anything that still slips through is logged here, never fatal.
  process.on('unhandledRejection', (error) => logger.error({ err: redactSecrets(error) }, 'unhandled rejection'));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    service.close();
    await running.stop();
    await state.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

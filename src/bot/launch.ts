import { join } from 'node:path';
import { GrammyError } from 'grammy';
import type { ArchiveService } from '../answering/archive.js';
import type { AnswerService } from '../answering/service.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { createBot } from './create-bot.js';
import { setCommandMenu } from './menu.js';
import { type RunningBot, startPolling, startWebhook } from './run.js';
import { BUTTON_TTL_MS, ButtonStore, type StoredButton } from './state/button-store.js';
import { CONVERSATION_TTL_MS, ConversationStore, type LastQuestion } from './state/conversations.js';
import { LmdbState } from './state/lmdb-storage.js';

/** Telegram refused the bot token. */
export class TokenRejectedError extends UserError {
  override readonly name = 'TokenRejectedError';

  constructor() {
    super('Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather in .env.');
  }
}

/**
 * Runs the Telegram bot until SIGINT or SIGTERM: long polling, or a webhook
 * server when WEBHOOK_URL is set. Stops cleanly, letting updates under way
 * finish. With `archive`, ADMIN_USER_IDS may change the archive from the chat.
 */
export async function launchBot(
  config: Config,
  token: string,
  service: AnswerService,
  logger: Logger,
  { archive }: { archive?: ArchiveService } = {},
): Promise<void> {
  const state = LmdbState.open(join(config.dataDir, 'state.lmdb'));
  const bot = createBot({
    token,
    apiRoot: config.telegram.apiRoot,
    allowedChatIds: config.telegram.allowedChatIds,
    rateLimitPerMinute: config.telegram.rateLimitPerMinute,
    service,
    buttons: new ButtonStore(state.storage<StoredButton>('buttons', BUTTON_TTL_MS)),
    conversations: new ConversationStore(state.storage<LastQuestion>('conversations', CONVERSATION_TTL_MS)),
    logger,
    answerCount: config.answerCount,
    admins: config.telegram.adminUserIds,
    archive,
  });
  const { webhookUrl, webhookPort, webhookSecret } = config.telegram;
  let running: RunningBot;
  try {
    running = await (webhookUrl
      ? startWebhook(bot, logger, { url: webhookUrl, port: webhookPort, secret: webhookSecret })
      : startPolling(bot, logger));
  } catch (error) {
    service.close(); // nothing left to run: let the process end
    await state.close();
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404))
      throw new TokenRejectedError();
    throw error;
  }

  void setCommandMenu(bot.api, logger, config.telegram.adminUserIds);

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

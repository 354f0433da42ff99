import { GrammyError } from 'grammy';
import type { ArchiveService } from '../answering/archive.js';
import type { AnswerService } from '../answering/service.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { FeedFollower, type FollowOptions, followFailure } from '../ingest/follow.js';
import type { IngestSummary } from '../ingest/ingest.js';
import { createIngester, feedLease } from '../ingest/setup.js';
import type { ArticleStore } from '../ingest/store.js';
import { type Logger, redactSecrets } from '../log.js';
import { opsEndpoints, type ReadinessCheck, startOpsServer } from '../ops/endpoints.js';
import { reportIndex } from '../ops/metrics.js';
import { createBot } from './create-bot.js';
import { setCommandMenu } from './menu.js';
import { type RunningBot, startPolling, startWebhook } from './run.js';
import { type BotState, openState } from './state/state.js';

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
  const state = await openState({ dataDir: config.dataDir, redisUrl: config.redisUrl, logger }).catch((error) => {
    service.close(); // nothing left to run: let the process end
    throw error;
  });
  // Links from editors and FEEDS: fetched by the ingester, feed validators shared through the state store.
  const fromWeb = async (urls: string[], store: ArticleStore): Promise<IngestSummary> => {
    const { ingester, client } = createIngester(config, { storage: state.storage, store });
    return ingester.run(urls).finally(() => client.close());
  };
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
    fromWeb,
  });
  const { webhookUrl, webhookPort, webhookHost, webhookSecret, webhookConcurrency } = config.telegram;
  if (webhookUrl && !webhookSecret)
    logger.warn('WEBHOOK_ALLOW_UNSIGNED is set: webhook updates are accepted without a secret');
  const ready = readinessOf(service, state);
  reportIndex(async () => ({
    version: service.version,
    model: service.index.model,
    articles: (await service.articles({ offset: 0, limit: 0 })).total,
    sentences: service.index.sentenceCount,
  }));
  let running: RunningBot;
  let ops: { close(): Promise<void> } | undefined;
  try {
    if (config.metricsPort) {
      ops = await startOpsServer({ port: config.metricsPort, host: webhookHost, ready });
      logger.info({ host: webhookHost, port: config.metricsPort }, 'serving /healthz, /readyz and /metrics');
    }
    running = await (webhookUrl
      ? startWebhook(bot, logger, {
          url: webhookUrl,
          port: webhookPort,
          host: webhookHost,
          secret: webhookSecret,
          concurrency: webhookConcurrency,
          leases: state.leases,
          ops: opsEndpoints(ready),
        })
      : startPolling(bot, logger));
  } catch (error) {
    await ops?.close();
    service.close(); // nothing left to run: let the process end
    await state.close();
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404))
      throw new TokenRejectedError();
    throw error;
  }

  void setCommandMenu(bot.api, logger, config.telegram.adminUserIds);
  const follower =
    archive && config.ingest.feeds.length > 0
      ? followFeeds(config, archive, fromWeb, logger, feedLease(state, service.engine))
      : undefined;

  // One update's failure is logged by the bot; anything that still slips through is logged here, never fatal.
  process.on('unhandledRejection', (error) => logger.error({ err: redactSecrets(error) }, 'unhandled rejection'));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await follower?.stop();
    service.close();
    await running.stop();
    await ops?.close();
    await state.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Polls FEEDS every FEED_POLL_MINUTES into the archive; what came in is logged (editors see it in /sources). */
function followFeeds(
  config: Config,
  archive: ArchiveService,
  fromWeb: (urls: string[], store: ArticleStore) => Promise<IngestSummary>,
  logger: Logger,
  lease: FollowOptions['lease'],
): FeedFollower {
  const follower = new FeedFollower({
    intervalMs: config.ingest.pollMinutes * 60_000,
    lease,
    poll: async () =>
      (
        await archive.apply((store) => fromWeb(config.ingest.feeds, store), {
          changed: (summary) => summary.added + summary.updated > 0,
        })
      ).result,
    onPolled: (summary) =>
      logger.info(
        {
          added: summary.added,
          updated: summary.updated,
          unchanged: summary.unchanged,
          notModified: summary.notModified,
          refused: summary.refused,
        },
        'feeds polled',
      ),
    onError: (error, failed) => logger.error({ err: redactSecrets(error) }, followFailure(failed)),
  });
  follower.start();
  logger.info({ feeds: config.ingest.feeds.length, minutes: config.ingest.pollMinutes }, 'following feeds');
  return follower;
}

/** Ready when an index with articles answers and the state store does (/readyz). */
export function readinessOf(service: AnswerService, state: BotState): ReadinessCheck {
  return async () => {
    const problems: string[] = [];
    try {
      if ((await service.articles({ offset: 0, limit: 0 })).total === 0) problems.push('the index has no articles');
    } catch (error) {
      problems.push(`index: ${(error as Error).message}`);
    }
    try {
      await state.ping();
    } catch (error) {
      problems.push(`state store: ${String(redactSecrets((error as Error).message))}`);
    }
    return problems;
  };
}

import { type Bot, HttpError, type Transformer } from 'grammy';
import { type Logger, redactSecrets } from '../log.js';
import type { BotContext } from './context.js';

/** Attempts of an ordinary Bot API call that gets no answer (the network), before its error reaches the handler. */
export const CALL_ATTEMPTS = 3;
/** The pause after the first failure; it doubles up to MAX_PAUSE_MS. */
const FIRST_PAUSE_MS = 1000;
export const MAX_PAUSE_MS = 60_000;
/** How long a start-up check (getMe) may take before it counts as unreachable. */
const INIT_TIMEOUT_MS = 10_000;
/** Long polling waits this long for updates (getUpdates' timeout); a request may take this much more. */
export const API_TIMEOUT_SECONDS = 60;

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const nextPause = (ms: number) => Math.min(ms * 2, MAX_PAUSE_MS);

/**
 * Retries Bot API calls that got no answer at all (a network error; Telegram
 * answering with an error is auto-retry's business). Every failure is
 * logged with the next pause, which doubles up to a minute. An ordinary call
 * gives up after CALL_ATTEMPTS, so no update waits forever; getUpdates never
 * gives up, so a polling bot comes back by itself when the network does.
 */
export function networkRetry(logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getMe') return prev(method, payload, signal); // initBot's own business
    let wait = FIRST_PAUSE_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        const last = method !== 'getUpdates' && attempt >= CALL_ATTEMPTS;
        if (!(error instanceof HttpError) || signal?.aborted || last) throw error;
        logger.warn(
          { method, attempt, retryInMs: wait, err: redactSecrets(error.message) },
          'Telegram Bot API unreachable: retrying',
        );
        await pause(wait, signal as unknown as AbortSignal);
        if (signal?.aborted) throw error;
        wait = nextPause(wait);
      }
    }
  };
}

/**
 * Checks the token and learns the bot's name (getMe), saying within seconds
 * when the Bot API cannot be reached, and trying again with a pause that
 * grows to a minute, each attempt logged, until it answers. An answer that
 * is an error (an unknown token) is thrown to the caller.
 */
export async function initBot(bot: Bot<BotContext>, logger: Logger, apiRoot: string): Promise<void> {
  let wait = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      // getMe directly: bot.init() would retry a network failure silently, for up to twenty minutes between tries.
      bot.botInfo = await bot.api.getMe(AbortSignal.timeout(INIT_TIMEOUT_MS) as never);
      if (attempt > 1) logger.info({ attempt }, 'Telegram Bot API reachable again');
      return;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      logger.error(
        { apiRoot, attempt, retryInMs: wait, err: redactSecrets(error.message) },
        'Telegram Bot API unreachable at start: retrying',
      );
      await pause(wait);
      wait = nextPause(wait);
    }
  }
}

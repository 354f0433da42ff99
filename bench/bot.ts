import { AnswerService } from '../src/answering/service.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { startEmulator, startTestBot } from '../test/helpers/telegram.js';
import { askConcurrently } from './load.js';
import { percentile, round } from './stats.js';

/**
 * Users asking at once through the Bot API emulator (real HTTP, real bot with
 * the runner, throttler and retries; Telegram's per-chat pace turned off as
 * each user waits for a reply before asking again).
 */
export async function benchBot(indexDir: string, embedder: Embedder, userCounts = [1, 10, 50], perUser = 10) {
  const rows = [];
  // Throttled as in production (Telegram's 30 calls/s overall), then without the throttler: the bot's own capacity.
  for (const [throttled, users] of [
    ...userCounts.map((u) => [true, u] as const),
    ...userCounts.map((u) => [false, u] as const),
  ]) {
    const server = await startEmulator();
    const service = await AnswerService.open({ engine: LocalEngine.fromFolder(indexDir), embedder });
    const unlimited = { global: {}, group: {}, out: {} };
    const bot = await startTestBot(server, indexDir, {
      service,
      rateLimitPerMinute: 100_000,
      ...(throttled ? {} : { throttle: unlimited }),
    });
    const { latencies, seconds } = await askConcurrently(server, users, perUser, 100_000);
    await bot.stop();
    await server.stop();
    rows.push({
      throttled,
      users,
      answers: latencies.length,
      answersPerSecond: round(latencies.length / seconds, 1),
      latencyMsP50: percentile(latencies, 50),
      latencyMsP95: percentile(latencies, 95),
    });
  }
  return rows;
}

import { AnswerService } from '../src/answering/service.js';
import type { Embedder } from '../src/embedding/embedder.js';
import { startEmulator, startTestBot, TOKEN } from '../test/helpers/telegram.js';
import { percentile, round } from './stats.js';

const QUESTIONS = [
  'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟',
  'ماذا قال بيسكوف عن الوضع في أفغانستان؟',
  'من هو وزير الخارجية الصيني الذي التقى لافروف؟',
  'ما موقف روسيا من قضية تايوان؟',
  'ما هي عاصمة البرازيل؟',
];

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
    const service = await AnswerService.open({ indexDir, embedder });
    const unlimited = { global: {}, group: {}, out: {} };
    const bot = await startTestBot(server, indexDir, {
      service,
      rateLimitPerMinute: 100_000,
      ...(throttled ? {} : { throttle: unlimited }),
    });
    // A reply is seen the moment the emulator stores it.
    const waiting = new Map<number, () => void>();
    server.on('AddedBotMessage', () => {
      const last = server.storage.botMessages[server.storage.botMessages.length - 1];
      waiting.get(Number(last.message.chat_id))?.();
    });
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        const chatId = 100_000 + u;
        const client = server.getClient(TOKEN, {
          userId: chatId,
          chatId,
          type: 'private',
          firstName: 'u',
          userName: `u${u}`,
        });
        for (let i = 0; i < perUser; i++) {
          const replied = new Promise<void>((resolve) => waiting.set(chatId, resolve));
          const sent = performance.now();
          await client.sendMessage(client.makeMessage(QUESTIONS[(u + i) % QUESTIONS.length]));
          await replied;
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
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

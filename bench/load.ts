import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { TOKEN } from '../test/helpers/telegram.js';

/** Questions the load is made of: four the seed articles answer and one they do not. */
export const QUESTIONS = [
  'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟',
  'ماذا قال بيسكوف عن الوضع في أفغانستان؟',
  'من هو وزير الخارجية الصيني الذي التقى لافروف؟',
  'ما موقف روسيا من قضية تايوان؟',
  'ما هي عاصمة البرازيل؟',
];

/**
 * `users` users asking at once through the Bot API emulator, each waiting for
 * a reply before asking again (so Telegram's per-chat pace never applies).
 * A reply is seen the moment the emulator stores it.
 */
export async function askConcurrently(emulator: TelegramServer, users: number, perUser: number, firstChatId: number) {
  const sentAt: number[] = [];
  const waiting = new Map<number, () => void>();
  emulator.on('AddedBotMessage', () => {
    sentAt.push(performance.now());
    const last = emulator.storage.botMessages[emulator.storage.botMessages.length - 1];
    waiting.get(Number(last.message.chat_id))?.();
  });
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      const chatId = firstChatId + u;
      const client = emulator.getClient(TOKEN, {
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
  return { latencies, seconds: (performance.now() - started) / 1000, sentAt };
}

/** The most messages sent in any one-second window. */
export function busiestSecond(sentAt: number[]): number {
  let busiest = 0;
  for (let i = 0, j = 0; i < sentAt.length; i++) {
    while (sentAt[i] - sentAt[j] >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  return busiest;
}

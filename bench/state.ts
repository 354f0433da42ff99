import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ButtonPayload } from '../src/bot/state/button-store.js';
import { openEmbeddedState, openRedisState } from '../src/bot/state/state.js';
import { createLogger } from '../src/log.js';
import { startRedis } from '../test/helpers/redis.js';
import { LegacyJsonButtonStore } from './legacy-json-store.js';
import { percentile, round } from './stats.js';

/** What one answer stores: three context buttons and a «more» button, as a real answer does. */
function answerPayloads(n: number): ButtonPayload[] {
  const sentence =
    'وقال المتحدث إن المحادثات بين البلدين مستمرة وإن التعاون في مجالات الطاقة والتجارة يتطور بسرعة. '.repeat(2);
  return [
    ...[0, 1, 2].map((i) => ({ kind: 'context' as const, articleId: `article-${n}-${i}`, sentences: [sentence] })),
    { kind: 'more' as const, question: 'ما موقف روسيا من قضية تايوان؟', offset: 3 },
  ];
}

interface Store {
  put(chatId: number, payloads: ButtonPayload[]): Promise<string[]>;
}

/**
 * The bot's button store under a steady answer load: `perSecond` answers a
 * second for `seconds`, each storing its four payloads as a separate event
 * (as updates arrive), after the store was filled to 5,000 entries (the old
 * file store's capacity). The event-loop delay of the process
 * (monitorEventLoopDelay, 1 ms resolution) is what every other update waits
 * while the store works.
 */
async function measure(name: string, store: Store, perSecond = 100, seconds = 10) {
  for (let i = 0; i < 1250; i++) await store.put(1, answerPayloads(i));
  const latencies: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const answers = perSecond * seconds;
  await Promise.all(
    Array.from(
      { length: answers },
      (_, n) =>
        new Promise<void>((resolve) =>
          setTimeout(
            async () => {
              const t = performance.now();
              await store.put(n % 50, answerPayloads(n));
              latencies.push(performance.now() - t);
              resolve();
            },
            (n * 1000) / perSecond,
          ),
        ),
    ),
  );
  delay.disable();
  return {
    store: name,
    answersPerSecond: perSecond,
    answers,
    putMsP50: percentile(latencies, 50),
    putMsP95: percentile(latencies, 95),
    eventLoopDelayMsP50: round(delay.percentile(50) / 1e6, 2),
    eventLoopDelayMsP99: round(delay.percentile(99) / 1e6, 2),
    eventLoopDelayMsMax: round(delay.max / 1e6, 2),
  };
}

/** The JSON file store of before, the embedded LMDB store, and Redis, measured the same way. */
export async function benchStateStores() {
  const logger = createLogger('silent');
  const dir = mkdtempSync(join(tmpdir(), 'bench-state-'));
  // The floor: the same load with a store that does nothing, so the rest is the store's own doing.
  const rows = [await measure('none (the floor)', { put: async () => [] })];
  rows.push(await measure('JSON file (before)', new LegacyJsonButtonStore(join(dir, 'buttons.json'))));
  const embedded = openEmbeddedState({ dataDir: join(dir, 'data'), logger });
  rows.push(await measure('embedded (LMDB)', embedded.buttons));
  await embedded.close();
  const redis = await startRedis();
  try {
    const shared = await openRedisState({ dataDir: dir, redisUrl: redis.url, logger });
    rows.push(await measure('Redis', shared.buttons));
    await shared.close();
  } finally {
    await redis.stop();
  }
  return rows;
}

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../test/helpers/cli.js';
import { Dispatcher } from '../test/helpers/dispatcher.js';
import { startRedis } from '../test/helpers/redis.js';
import { freePort, startEmulator, TOKEN } from '../test/helpers/telegram.js';
import { askConcurrently, busiestSecond } from './load.js';
import { percentile, round } from './stats.js';

async function startReplica(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = startCli('start', [], { ...env, WEBHOOK_PORT: String(port) });
  let logs = '';
  child.stderr?.on('data', (d) => (logs += d));
  const deadline = Date.now() + 120_000;
  while (!logs.includes('bot running (webhook)')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replica did not start:\n${logs}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: `http://127.0.0.1:${port}/telegram` };
}

/**
 * `npm start` replicas in webhook mode sharing Redis, behind a dispatcher
 * that spreads updates round robin, as a load balancer would; users ask
 * through the Bot API emulator, each waiting for a reply before asking
 * again. Telegram's limits are on (the shared throttle), so the figure to
 * read is that two replicas together stay within 30 messages a second.
 */
export async function benchReplicas(
  indexDir: string,
  env: NodeJS.ProcessEnv,
  replicaCounts = [1, 2],
  users = 40,
  perUser = 5,
) {
  const rows = [];
  for (const count of replicaCounts) {
    const redis = await startRedis();
    const emulator = await startEmulator();
    const dispatcher = new Dispatcher();
    const dispatcherPort = await freePort();
    await dispatcher.listen(dispatcherPort);
    const replicaEnv = {
      ...env,
      INDEX_DIR: indexDir,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.config.apiURL,
      WEBHOOK_URL: `http://127.0.0.1:${dispatcherPort}/telegram`,
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_MINUTE: '10000',
      LOG_LEVEL: 'info', // startReplica waits for the "bot running" line
    };
    const replicas = [];
    for (let i = 0; i < count; i++) {
      replicas.push(await startReplica({ ...replicaEnv, DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-replica-')) }));
    }
    dispatcher.replicas = replicas.map((r) => r.url);
    const { latencies, seconds, sentAt } = await askConcurrently(emulator, users, perUser, 200_000);
    const busiest = busiestSecond(sentAt);
    for (const r of replicas) r.child.kill('SIGTERM');
    await dispatcher.close();
    await emulator.stop();
    await redis.stop();
    rows.push({
      replicas: count,
      users,
      answers: latencies.length,
      answersPerSecond: round(latencies.length / seconds, 1),
      latencyMsP50: percentile(latencies, 50),
      latencyMsP95: percentile(latencies, 95),
      messagesPerSecond: round(sentAt.length / seconds, 1),
      busiestSecondMessages: busiest,
    });
  }
  return rows;
}

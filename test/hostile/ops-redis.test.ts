/**
 * The operations endpoints while Redis goes away and comes back (a real
 * redis-server, killed and started again): /readyz says the state store does
 * not answer, and /metrics counts the Redis errors.
 */
import { describe, expect, it } from 'vitest';
import { readinessOf } from '../../src/bot/launch.js';
import { openRedisState } from '../../src/bot/state/state.js';
import { createLogger } from '../../src/log.js';
import { startOpsServer } from '../../src/ops/endpoints.js';
import { openService, seedIndex, tempDir, tinyEmbedder } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis.js';

/** The value of one series in Prometheus's text format (0 when absent). */
function series(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('/readyz and /metrics with Redis as the state store', { timeout: 120_000 }, () => {
  it('ready while Redis answers; 503 naming the state store while it is down; ready again after; Redis errors counted', async () => {
    const redis = await startRedis();
    const { indexDir } = await seedIndex(await tinyEmbedder());
    const service = await openService(indexDir, await tinyEmbedder());
    const state = await openRedisState({
      dataDir: tempDir('ops-redis'),
      redisUrl: redis.url,
      logger: createLogger('silent'),
    });
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', ready: readinessOf(service, state) });
    const base = `http://127.0.0.1:${ops.port}`;
    const readyz = async () => {
      const response = await fetch(`${base}/readyz`);
      return { status: response.status, text: await response.text() };
    };
    const redisErrors = async () =>
      series(await (await fetch(`${base}/metrics`)).text(), 'qa_store_errors_total{store="redis"}');
    try {
      expect(await readyz()).toEqual({ status: 200, text: 'ready\n' });
      const errorsBefore = await redisErrors();
      const restarted = redis.restart(5000);
      let down = { status: 0, text: '' };
      for (const deadline = Date.now() + 4000; Date.now() < deadline && down.status !== 503; ) {
        await new Promise((r) => setTimeout(r, 100));
        down = await readyz();
      }
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/^not ready: state store: /);
      expect(down.text).not.toContain(redis.url);
      await restarted;
      let up = down;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && up.status !== 200; ) {
        await new Promise((r) => setTimeout(r, 200));
        up = await readyz();
      }
      expect(up.status).toBe(200);
      expect(await redisErrors()).toBeGreaterThan(errorsBefore);
    } finally {
      await ops.close();
      await state.close();
      service.close();
      await redis.stop();
    }
  });
});

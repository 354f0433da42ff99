/**
 * An open webhook, probed as a stranger would: forged updates, a listener
 * on every interface, bodies too large; and the operations endpoints
 * (/healthz, /readyz, /metrics) over real HTTP, in webhook mode and on
 * METRICS_PORT in polling mode. The bot runs as `npm start` runs it.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readinessOf } from '../../src/bot/launch.js';
import { openEmbeddedState } from '../../src/bot/state/state.js';
import { createLogger } from '../../src/log.js';
import { startOpsServer } from '../../src/ops/endpoints.js';
import { type CliProcess, runCli } from '../helpers/cli.js';
import { openService, seedIndex, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';
import {
  botMessages,
  freePort,
  noBotMessage,
  postUpdate,
  startBotProcess,
  startEmulator,
  TOKEN,
  webhookUser,
} from '../helpers/telegram.js';

/** These tests start the program as processes: time for a busy two-core machine. */
const PROCESS_TIMEOUT_MS = 180_000;

const SECRET = 'hook-secret_0123456789abcdef';

let indexDir: string;
let emulator: TelegramServer | undefined;
let bot: CliProcess | undefined;

beforeAll(async () => {
  ({ indexDir } = await seedIndex(await tinyEmbedder()));
});

afterEach(async () => {
  await bot?.stop();
  await emulator?.stop();
  bot = undefined;
  emulator = undefined;
});

/** `npm start` with the seed index against the emulator, until it logs `readyLine`. */
async function startBot(env: Record<string, string>, readyLine: string): Promise<CliProcess> {
  emulator = await startEmulator();
  bot = await startBotProcess(
    emulator.config.apiURL,
    {
      INDEX_DIR: indexDir,
      DATA_DIR: join(tempDir('webhook-hostile'), 'data'),
      RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    },
    { readyLine },
  );
  return bot;
}

/** A POST whose body is sent in chunks without a length (as a client streaming it would). */
function postChunked(url: string, chunks: number, chunkBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    req.write('{"update_id": 1, "padding": "');
    more();
  });
}

/** Whether something accepts connections at host:port. */
function listening(host: string, port: number): Promise<boolean> {
  return fetch(`http://${host}:${port}/healthz`).then(
    () => true,
    () => false,
  );
}

/** The value of one series in Prometheus's text format (0 when absent). */
function series(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('webhook mode refuses to run open', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('without WEBHOOK_SECRET, `npm start` exits with one line saying how to set one, and listens on nothing', async () => {
    const port = await freePort();
    const result = await runCli(
      'start',
      [],
      tinyModelEnv({
        INDEX_DIR: indexDir,
        TELEGRAM_BOT_TOKEN: TOKEN,
        WEBHOOK_URL: `http://127.0.0.1:${port}/telegram`,
        WEBHOOK_PORT: String(port),
        WEBHOOK_SECRET: '',
      }),
    );
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Invalid configuration');
    expect(lines[0]).toContain('WEBHOOK_SECRET');
    expect(lines[0]).toContain('openssl rand -hex 32');
    expect(lines[0]).toContain('WEBHOOK_ALLOW_UNSIGNED=true');
    expect(await listening('127.0.0.1', port)).toBe(false);
  });

  it('a secret Telegram would refuse (a space, a colon) is named at start', async () => {
    const result = await runCli(
      'start',
      [],
      tinyModelEnv({
        INDEX_DIR: indexDir,
        TELEGRAM_BOT_TOKEN: TOKEN,
        WEBHOOK_URL: 'http://127.0.0.1:1/telegram',
        WEBHOOK_SECRET: 'not allowed: here',
      }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Invalid configuration: WEBHOOK_SECRET: Telegram accepts/);
    expect(result.stderr).not.toContain('not allowed: here');
  });

  it('with a secret: forged updates get 401 and no reply, bodies over 1 MiB get 413 (with or without a length), signed ones are answered; it listens only on WEBHOOK_HOST; the operations endpoints answer on the same port', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram`;
    const started = await startBot(
      { WEBHOOK_URL: url, WEBHOOK_PORT: String(port), WEBHOOK_SECRET: SECRET, WEBHOOK_HOST: '127.0.0.1' },
      'bot running (webhook)',
    );
    const server = emulator as TelegramServer;
    const stranger = webhookUser(server, 8101);
    const reader = webhookUser(server, 8102);

    // Forged: no secret, or a wrong one.
    expect((await postUpdate(url, stranger.update('ما موقف روسيا من قضية تايوان؟'))).status).toBe(401);
    expect((await postUpdate(url, stranger.update('ما موقف روسيا من قضية تايوان؟'), 'wrong-secret')).status).toBe(401);
    await noBotMessage(stranger.client, 1000);

    // Too large: refused with 413, not a reset; the server goes on.
    expect((await postUpdate(url, `{"update_id": 5, "x": "${'ا'.repeat(600_000)}"}`, SECRET)).status).toBe(413);
    expect(await postChunked(url, 40, 64 * 1024)).toBe(413);

    // Signed: answered.
    expect(
      (await postUpdate(url, reader.update('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟'), SECRET)).status,
    ).toBe(200);
    expect((await botMessages(reader.client, 1))[0].text).toContain('100 مليار دولار');

    // Only the loopback address it was given: 127.0.0.2 is loopback too, but not WEBHOOK_HOST.
    expect(await listening('127.0.0.2', port)).toBe(false);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(series(text, 'qa_questions_answered_total')).toBe(1);
    expect(series(text, 'qa_questions_not_found_total')).toBe(0);
    expect(series(text, 'qa_answer_duration_seconds_count')).toBe(1);
    expect(series(text, 'qa_updates_refused_total{reason="webhook secret"}')).toBe(2);
    expect(series(text, 'qa_updates_refused_total{reason="webhook body too large"}')).toBe(2);
    expect(series(text, 'qa_index_size{of="articles"}')).toBe(5);
    expect(series(text, 'qa_index_size{of="sentences"}')).toBeGreaterThan(20);
    expect(text).toMatch(/^qa_index_info\{version="build-[^"]+",model="[^"]+"\} 1$/m);
    expect(text).toContain('process_resident_memory_bytes');
    expect(started.output).toContain('"host":"127.0.0.1"');
  });

  it('WEBHOOK_ALLOW_UNSIGNED=true accepts unsigned updates, and says so in the log', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram`;
    const started = await startBot(
      { WEBHOOK_URL: url, WEBHOOK_PORT: String(port), WEBHOOK_ALLOW_UNSIGNED: 'true' },
      'bot running (webhook)',
    );
    const reader = webhookUser(emulator as TelegramServer, 8103);
    expect((await postUpdate(url, reader.update('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟'))).status).toBe(200);
    expect((await botMessages(reader.client, 1))[0].text).toContain('100 مليار دولار');
    expect(started.output).toContain('WEBHOOK_ALLOW_UNSIGNED is set');
    // The default host is every interface (the choice for containers and load balancers).
    expect(await listening('127.0.0.2', port)).toBe(true);
  });
});

describe('operations endpoints', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('in polling mode, on METRICS_PORT: /healthz, /readyz, /metrics; anything else 404', async () => {
    const port = await freePort();
    await startBot({ METRICS_PORT: String(port), WEBHOOK_HOST: '127.0.0.1' }, 'bot running (long polling)');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(series(text, 'qa_index_size{of="articles"}')).toBe(5);
    expect((await fetch(`http://127.0.0.1:${port}/telegram`)).status).toBe(404);
  });

  it('/readyz answers 503 naming the state store when it cannot be read (an embedded store closed under it)', async () => {
    const logger = createLogger('silent');
    const state = openEmbeddedState({ dataDir: tempDir('ready-state'), logger });
    const service = await openService(indexDir, await tinyEmbedder());
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', ready: readinessOf(service, state) });
    try {
      const before = await fetch(`http://127.0.0.1:${ops.port}/readyz`);
      expect(before.status).toBe(200);
      await state.close();
      const after = await fetch(`http://127.0.0.1:${ops.port}/readyz`);
      expect(after.status).toBe(503);
      expect(await after.text()).toMatch(/^not ready: state store: /);
    } finally {
      await ops.close();
      service.close();
    }
  });
});

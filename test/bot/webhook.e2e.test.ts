import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../../src/answering/service.js';
import { type RunningBot, startWebhook } from '../../src/bot/run.js';
import { t } from '../../src/i18n/i18n.js';
import { openService, seedIndex, tempDir, tinyEmbedder } from '../helpers/fixtures.js';
import {
  botMessages,
  buildTestBot,
  freePort,
  noBotMessage,
  postUpdate,
  startEmulator,
  webhookUser,
} from '../helpers/telegram.js';

let indexDir: string;
let emulator: TelegramServer | undefined;
let running: RunningBot | undefined;
let nextUser = 7000;

beforeAll(async () => {
  ({ indexDir } = await seedIndex(await tinyEmbedder()));
});

afterEach(async () => {
  await running?.stop();
  await emulator?.stop();
  running = undefined;
  emulator = undefined;
});

/** The bot in webhook mode, in this process, as launchBot starts it; `service` may be slowed down or broken. */
async function startWebhookBot(options: { service?: AnswerService; ackAfterMs?: number; secret?: string } = {}) {
  emulator = await startEmulator();
  const built = await buildTestBot(emulator, indexDir, {
    stateDir: tempDir('webhook-state'),
    ...(options.service ? { service: options.service } : {}),
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/telegram`;
  const webhook = await startWebhook(built.bot, built.logger, {
    url,
    port,
    secret: options.secret,
    leases: built.state.leases,
    ackAfterMs: options.ackAfterMs,
  });
  running = {
    stop: async () => {
      await webhook.stop();
      await built.close();
    },
  };
  return { url, logs: built.logs, emulator };
}

/** The service, with questions that hold `slow` taking `ms` longer: a handler stuck on a 429 or a long reply. */
async function slowService(slow: string, ms: number): Promise<AnswerService> {
  const real = await openService(indexDir, await tinyEmbedder());
  const slowed = Object.create(real) as AnswerService;
  slowed.ask = async (q, o) => {
    if (q.includes(slow)) await new Promise((r) => setTimeout(r, ms));
    return real.ask(q, o);
  };
  return slowed;
}

describe('webhook mode', () => {
  it('acknowledges a slow update in time, keeps serving meanwhile, and answers it exactly once (slowness injected into the answer service)', async () => {
    const { url, logs, emulator } = await startWebhookBot({
      service: await slowService('بيسكوف', 2500),
      ackAfterMs: 500,
    });
    const slow = webhookUser(emulator, nextUser++);
    const quick = webhookUser(emulator, nextUser++);
    const started = Date.now();
    const slowAck = await postUpdate(url, slow.update('ماذا قال بيسكوف عن أفغانستان؟'));
    expect(slowAck.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    // While it is still being handled, others are answered.
    expect((await postUpdate(url, quick.update('كم بلغت التجارة الثنائية بين الصين وروسيا؟'))).status).toBe(200);
    expect((await botMessages(quick.client, 1))[0].text).toContain('100 مليار دولار');
    const [answer] = await botMessages(slow.client, 1, 10_000);
    expect(answer.text).toContain('بيسكوف');
    await noBotMessage(slow.client, 1000);
    expect(logs.join('\n')).toContain('slow update acknowledged before it was handled');
  });

  it('answers an update delivered twice only once', async () => {
    const { url, emulator } = await startWebhookBot();
    const asker = webhookUser(emulator, nextUser++);
    const update = asker.update('من هو وزير الخارجية الصيني الذي التقى لافروف؟');
    const [first, second] = await Promise.all([postUpdate(url, update), postUpdate(url, update)]);
    expect([first.status, second.status].sort()).toEqual([200, 200]);
    expect((await postUpdate(url, update)).status).toBe(200);
    expect((await botMessages(asker.client, 1))[0].text).toContain('وانج يي');
    await noBotMessage(asker.client, 1000);
  });

  it('apologizes for a failing update and goes on (fault injected into the answer service)', async () => {
    const real = await openService(indexDir, await tinyEmbedder());
    const broken = Object.create(real) as AnswerService;
    broken.ask = async (q, o) => {
      if (q.includes('انهيار')) throw new Error('handler bug');
      return real.ask(q, o);
    };
    const { url, emulator, logs } = await startWebhookBot({ service: broken });
    const asker = webhookUser(emulator, nextUser++);
    expect((await postUpdate(url, asker.update('سؤال يسبب انهيار'))).status).toBe(200);
    expect((await botMessages(asker.client, 1))[0].text).toBe(t('ar', 'failure'));
    expect((await postUpdate(url, asker.update('كم بلغت التجارة الثنائية؟'))).status).toBe(200);
    expect((await botMessages(asker.client, 1))[0].text).toContain('100 مليار دولار');
    expect(logs.join('\n')).toContain('handler bug');
  });

  it('refuses requests without the secret token, and malformed bodies, handling nothing', async () => {
    const { url, emulator } = await startWebhookBot({ secret: 'webhook-secret-123' });
    const asker = webhookUser(emulator, nextUser++);
    expect((await postUpdate(url, asker.update('كم بلغت التجارة الثنائية؟'))).status).toBe(401);
    expect((await postUpdate(url, asker.update('كم بلغت التجارة الثنائية؟'), 'wrong-secret-xyz')).status).toBe(401);
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'x-telegram-bot-api-secret-token': 'webhook-secret-123' },
          body: '{"update_id":',
        })
      ).status,
    ).toBe(400);
    await noBotMessage(asker.client, 500);
    expect((await postUpdate(url, asker.update('كم بلغت التجارة الثنائية؟'), 'webhook-secret-123')).status).toBe(200);
    expect((await botMessages(asker.client, 1))[0].text).toContain('100 مليار دولار');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, misspelledSettings } from '../src/config.js';
import { BUILT_IN_MODEL } from '../src/embedding/models.js';
import { redactSecrets } from '../src/log.js';

const load = (env: Record<string, string>) => loadConfig(env, { dotenvFile: false });

describe('loadConfig', () => {
  it('needs no setting at all: the built-in model, local folders, Telegram’s limits', () => {
    const config = load({});
    expect(config.embedding).toMatchObject({ model: BUILT_IN_MODEL, allowRemoteModels: true, batchSize: 32 });
    expect(config.corpusDir.endsWith('/corpus')).toBe(true);
    expect(config).toMatchObject({
      answerCount: 3,
      maxArticleBytes: 4 * 1024 * 1024,
      chunking: { maxChars: 600, overlap: 1 },
    });
    expect(config.telegram).toMatchObject({ token: undefined, rateLimitPerMinute: 20, webhookPort: 8080 });
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads flags, numbers and id lists the way people write them in .env', () => {
    const config = load({
      ALLOW_REMOTE_MODELS: 'no',
      ANSWER_COUNT: '5',
      ALLOWED_CHAT_IDS: '123, -1001234567890',
      ADMIN_USER_IDS: '42',
      TELEGRAM_BOT_TOKEN: '  123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ  ',
      WEBHOOK_URL: '',
    });
    expect(config.embedding.allowRemoteModels).toBe(false);
    expect(config.answerCount).toBe(5);
    expect([...(config.telegram.allowedChatIds ?? [])]).toEqual([123, -1001234567890]);
    expect([...(config.telegram.adminUserIds ?? [])]).toEqual([42]);
    expect(config.telegram.token).toBe('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(config.telegram.webhookUrl).toBeUndefined();
  });

  it('names every invalid setting in one error', () => {
    const attempt = () =>
      load({ ANSWER_COUNT: '0', ALLOW_REMOTE_MODELS: 'maybe', WEBHOOK_URL: 'not a url', ALLOWED_CHAT_IDS: 'abc' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['ANSWER_COUNT', 'ALLOW_REMOTE_MODELS', 'WEBHOOK_URL', 'ALLOWED_CHAT_IDS'])
        expect(problems).toContain(name);
      expect((error as ConfigError).name).toBe('ConfigError');
    }
  });

  it('registers the webhook secret so that no log line shows it', () => {
    load({ WEBHOOK_SECRET: 'sekret-webhook-value' });
    expect(redactSecrets('header was sekret-webhook-value')).toBe('header was [secret]');
  });

  it('chooses the engine with SEARCH_BACKEND (local by default) and keeps DATABASE_URL, and its password alone, out of logs', () => {
    expect(load({}).search).toEqual({ backend: 'local', databaseUrl: undefined, postingsCacheMb: 64 });
    const url = 'postgres://qa:p%40ss-w0rd-x@db.internal:5432/qa';
    const config = load({ SEARCH_BACKEND: 'postgres', DATABASE_URL: url });
    expect(config.search).toEqual({ backend: 'postgres', databaseUrl: url, postingsCacheMb: 64 });
    expect(load({ POSTINGS_CACHE_MB: '0' }).search.postingsCacheMb).toBe(0);
    expect(() => load({ POSTINGS_CACHE_MB: '-1' })).toThrow(/POSTINGS_CACHE_MB/);
    expect(redactSecrets(`cannot connect to ${url}`)).toBe('cannot connect to [secret]');
    expect(redactSecrets('password "p@ss-w0rd-x" rejected')).toBe('password "[secret]" rejected');
    expect(() => load({ SEARCH_BACKEND: 'opensearch' })).toThrow(/SEARCH_BACKEND/);
  });
});

describe('misspelledSettings', () => {
  it('names the setting a misspelled .env name is close to, and leaves other names alone', () => {
    expect(
      misspelledSettings(['TELEGRAM_BOT_TOKN', 'REDIS_URI', 'embedding_model', 'ANSWER_COUNT', 'NODE_ENV']),
    ).toEqual([
      '.env sets TELEGRAM_BOT_TOKN, which is not a setting: did you mean TELEGRAM_BOT_TOKEN? (see .env.example)',
      '.env sets REDIS_URI, which is not a setting: did you mean REDIS_URL? (see .env.example)',
      '.env sets embedding_model, which is not a setting: did you mean EMBEDDING_MODEL? (see .env.example)',
    ]);
  });
});

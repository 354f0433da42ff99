import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { BUILT_IN_MODEL } from './embedding/models.js';
import { UserError } from './errors.js';
import { HostPolicy } from './ingest/address.js';
import { registerSecret } from './log.js';
import { DEFAULT_POSTINGS_CACHE_MB } from './search/postgres/postings-cache.js';

/** Reads "true"/"false"/"1"/"0"/"yes"/"no" the way people write them in .env files. */
const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const optionalUrl = z
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

/** A comma-separated list of Telegram ids (chats or users). */
const idList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v?.trim()) return undefined;
    const ids = v.split(/[\s,]+/).filter(Boolean);
    if (ids.some((id) => !/^-?\d+$/.test(id))) {
      ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of numeric ids' });
      return z.NEVER;
    }
    return new Set(ids.map(Number));
  });

/** A comma- or space-separated list of http(s) addresses (FEEDS). */
const urlList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const urls = (v ?? '').split(/[\s,]+/).filter(Boolean);
    for (const url of urls) {
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        ctx.addIssue({ code: 'custom', message: `"${url}" is not an http(s) address` });
        return z.NEVER;
      }
    }
    return urls;
  });

/** INGEST_ALLOW_HOSTS: host names, addresses or CIDR ranges the ingester may reach although they are not public. */
const hostPolicy = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const policy = HostPolicy.parse(v);
    if ('problem' in policy) {
      ctx.addIssue({ code: 'custom', message: policy.problem });
      return z.NEVER;
    }
    return policy;
  });

const text = (fallback: string) => z.string().trim().min(1).default(fallback);
const whole = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Every setting, its default and its bounds. `.env.example` documents each. */
const schema = z.object({
  EMBEDDING_MODEL: text(BUILT_IN_MODEL),
  MODELS_DIR: text('models'),
  ALLOW_REMOTE_MODELS: flag(true),
  MODEL_HUB_URL: optionalUrl,
  EMBED_BATCH_SIZE: whole(32, 1, 1024),
  CORPUS_DIR: text('corpus'),
  INDEX_DIR: text('embeddings'),
  SEARCH_BACKEND: z.enum(['local', 'postgres']).default('local'),
  DATABASE_URL: optionalText,
  POSTINGS_CACHE_MB: whole(DEFAULT_POSTINGS_CACHE_MB, 0, 65536),
  DATA_DIR: text('data'),
  MAX_ARTICLE_BYTES: whole(4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  CHUNK_SIZE: whole(600, 50, 20000),
  CHUNK_OVERLAP: whole(1, 0, 20),
  ANSWER_COUNT: whole(3, 1, 20),
  MIN_SIMILARITY: z.coerce.number().min(0).max(1).optional(),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: optionalUrl,
  WEBHOOK_URL: optionalUrl,
  WEBHOOK_PORT: whole(8080, 1, 65535),
  WEBHOOK_HOST: text('0.0.0.0'),
  WEBHOOK_SECRET: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
    message: "Telegram accepts 1 to 256 characters of A-Z, a-z, 0-9, '_' and '-'",
  }),
  WEBHOOK_ALLOW_UNSIGNED: flag(false),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WEBHOOK_MAX_CONCURRENT: whole(32, 1, 1000),
  REDIS_URL: optionalText,
  ALLOWED_CHAT_IDS: idList,
  ADMIN_USER_IDS: idList,
  RATE_LIMIT_PER_MINUTE: whole(20, 1, 10000),
  FEEDS: urlList,
  FEED_POLL_MINUTES: z.coerce
    .number()
    .min(0.05)
    .max(7 * 24 * 60)
    .default(15),
  INGEST_ALLOW_HOSTS: hostPolicy,
  INGEST_USER_AGENT: text('ArabicNewsQA/0.1 (news archive ingester)'),
  INGEST_TIMEOUT_MS: whole(20_000, 100, 600_000),
  INGEST_HOST_DELAY_MS: whole(1000, 0, 600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof schema>) {
  return {
    embedding: {
      /** A model id: the built-in one, a folder under `modelsDir`, or a Hugging Face hub id. */
      model: env.EMBEDDING_MODEL,
      /** Where models are looked for, and where a downloaded one is kept. */
      modelsDir: resolve(env.MODELS_DIR),
      /** May a model that is not on disk be downloaded (once)? */
      allowRemoteModels: env.ALLOW_REMOTE_MODELS,
      /** Another model hub (a mirror); default: huggingface.co. */
      hubUrl: env.MODEL_HUB_URL,
      batchSize: env.EMBED_BATCH_SIZE,
    },
    corpusDir: resolve(env.CORPUS_DIR),
    indexDir: resolve(env.INDEX_DIR),
    search: {
      /** Which engine answers and builds: `local` (the index folder INDEX_DIR) or `postgres` (DATABASE_URL). */
      backend: env.SEARCH_BACKEND,
      /** The postgres engine's database (a secret: it may hold a password). */
      databaseUrl: env.DATABASE_URL,
      /** MiB of BM25 postings a postgres replica keeps from its questions for the next ones (0: none). */
      postingsCacheMb: env.POSTINGS_CACHE_MB,
    },
    /** The bot's own state (inline button payloads). */
    dataDir: resolve(env.DATA_DIR),
    /** Article files larger than this are skipped with a warning. */
    maxArticleBytes: env.MAX_ARTICLE_BYTES,
    chunking: { maxChars: env.CHUNK_SIZE, overlap: env.CHUNK_OVERLAP },
    answerCount: env.ANSWER_COUNT,
    /** Cosine at which a quote counts as relevant on meaning alone (default: per model, see answering/options.ts). */
    minSimilarity: env.MIN_SIMILARITY,
    telegram: {
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      webhookUrl: env.WEBHOOK_URL,
      webhookPort: env.WEBHOOK_PORT,
      /** The address the webhook (and metrics) server listens on; 0.0.0.0: every interface. */
      webhookHost: env.WEBHOOK_HOST,
      webhookSecret: env.WEBHOOK_SECRET,
      /** Accept webhook updates without the secret (only behind a proxy that checks them itself). */
      webhookAllowUnsigned: env.WEBHOOK_ALLOW_UNSIGNED,
      /** Updates a webhook replica handles at the same time. */
      webhookConcurrency: env.WEBHOOK_MAX_CONCURRENT,
      allowedChatIds: env.ALLOWED_CHAT_IDS,
      /** Telegram user ids of the archive's editors: /reindex, /add, /remove, articles sent as files. */
      adminUserIds: env.ADMIN_USER_IDS,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    },
    /** A port for /healthz, /readyz and /metrics (in webhook mode they are on WEBHOOK_PORT as well). */
    metricsPort: env.METRICS_PORT,
    /** Shared state for several replicas (buttons, rate limit, de-duplication, throttle); embedded when unset. */
    redisUrl: env.REDIS_URL,
    /** Articles from the web (src/ingest): what is fetched, how politely, and which feeds are followed. */
    ingest: {
      /** Feeds and sitemaps polled by `npm run ingest -- --follow` and by the bot. */
      feeds: env.FEEDS,
      pollMinutes: env.FEED_POLL_MINUTES,
      /** Only public addresses, unless listed here (SSRF). */
      policy: env.INGEST_ALLOW_HOSTS,
      userAgent: env.INGEST_USER_AGENT,
      timeoutMs: env.INGEST_TIMEOUT_MS,
      hostDelayMs: env.INGEST_HOST_DELAY_MS,
    },
    logLevel: env.LOG_LEVEL,
  };
}

/** The database URL is a secret, and so is its password alone (a driver's error may quote it). */
function registerDatabaseUrl(url: string | undefined): void {
  registerSecret(url);
  try {
    if (url) registerSecret(decodeURIComponent(new URL(url).password));
  } catch {
    // not a URL (a libpq "key=value" string): the whole of it is registered above
  }
}

/** Every setting's name, as .env.example and README's table list them. */
export function settingNames(): string[] {
  return Object.keys(schema.shape);
}

/**
 * Names set in .env that are not settings but are a typo away from one
 * ("TELEGRAM_BOT_TOKN"): each would be ignored without a word otherwise.
 * Names far from every setting are left alone (other tools read .env too).
 */
export function misspelledSettings(names: readonly string[]): string[] {
  const known = settingNames();
  return names
    .filter((name) => !known.includes(name))
    .flatMap((name) => {
      const near = closest(name.toUpperCase(), known);
      const allowed = Math.max(2, Math.floor(near.length / 6));
      return distance(name.toUpperCase(), near) <= allowed
        ? [`.env sets ${name}, which is not a setting: did you mean ${near}? (see .env.example)`]
        : [];
    });
}

/** One or more settings are invalid; `problems` names each. */
export class ConfigError extends UserError {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * The one place settings are read. Values come from the environment, with
 * `.env` (dotenv) filling in what the environment does not set.
 *
 * @throws ConfigError naming every invalid setting.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  { dotenvFile = true, warn = (line: string) => void process.stderr.write(`Warning: ${line}\n`) } = {},
): Config {
  if (dotenvFile) {
    const { parsed } = dotenv.config({ quiet: true });
    for (const line of misspelledSettings(Object.keys(parsed ?? {}))) warn(line);
  }
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_ALLOW_UNSIGNED } = parsed.data;
  // Without a secret, anyone who finds the webhook's address can send it updates the bot would answer.
  if (WEBHOOK_URL && !WEBHOOK_SECRET && !WEBHOOK_ALLOW_UNSIGNED)
    throw new ConfigError([
      'WEBHOOK_SECRET: webhook mode needs a secret, or anyone who finds the address can send forged updates. ' +
        'Set WEBHOOK_SECRET to a random string (e.g. the output of: openssl rand -hex 32) in .env, ' +
        'or WEBHOOK_ALLOW_UNSIGNED=true if a proxy in front checks updates itself',
    ]);
  registerSecret(parsed.data.TELEGRAM_BOT_TOKEN);
  registerSecret(parsed.data.WEBHOOK_SECRET);
  registerDatabaseUrl(parsed.data.DATABASE_URL);
  return toConfig(parsed.data);
}

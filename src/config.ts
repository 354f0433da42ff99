import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

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
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

const chatIds = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v || !v.trim()) return undefined;
    const ids = v.split(/[\s,]+/).filter(Boolean);
    if (ids.some((id) => !/^-?\d+$/.test(id))) {
      ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of numeric chat ids' });
      return z.NEVER;
    }
    return new Set(ids.map(Number));
  });

const schema = z.object({
  EMBEDDING_MODEL: z.string().trim().min(1).default('Xenova/multilingual-e5-small'),
  MODELS_DIR: z.string().trim().min(1).default('models'),
  ALLOW_REMOTE_MODELS: flag(true),
  EMBED_BATCH_SIZE: z.coerce.number().int().min(1).max(1024).default(32),
  CORPUS_DIR: z.string().trim().min(1).default('corpus'),
  INDEX_DIR: z.string().trim().min(1).default('embeddings'),
  DATA_DIR: z.string().trim().min(1).default('data'),
  CHUNK_SIZE: z.coerce.number().int().min(50).max(20000).default(600),
  CHUNK_OVERLAP: z.coerce.number().int().min(0).max(20).default(1),
  ANSWER_COUNT: z.coerce.number().int().min(1).max(20).default(3),
  MIN_SIMILARITY: z.coerce.number().min(0).max(1).optional(),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: z.url().optional().or(z.literal('').transform(() => undefined)),
  WEBHOOK_URL: z.url().optional().or(z.literal('').transform(() => undefined)),
  WEBHOOK_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  WEBHOOK_SECRET: optionalText,
  ALLOWED_CHAT_IDS: chatIds,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(20),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof schema>) {
  return {
    embedding: {
      model: env.EMBEDDING_MODEL,
      modelsDir: resolve(env.MODELS_DIR),
      allowRemoteModels: env.ALLOW_REMOTE_MODELS,
      batchSize: env.EMBED_BATCH_SIZE,
    },
    corpusDir: resolve(env.CORPUS_DIR),
    indexDir: resolve(env.INDEX_DIR),
    /** The bot's own state (inline button payloads). */
    dataDir: resolve(env.DATA_DIR),
    chunking: { maxChars: env.CHUNK_SIZE, overlap: env.CHUNK_OVERLAP },
    answerCount: env.ANSWER_COUNT,
    /** Cosine at which a quote counts as relevant on meaning alone (default: per model, see defaultThresholds). */
    minSimilarity: env.MIN_SIMILARITY,
    telegram: {
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      webhookUrl: env.WEBHOOK_URL,
      webhookPort: env.WEBHOOK_PORT,
      webhookSecret: env.WEBHOOK_SECRET,
      allowedChatIds: env.ALLOWED_CHAT_IDS,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    },
    logLevel: env.LOG_LEVEL,
  };
}

export class ConfigError extends Error {}

/**
 * The one place settings are read. Values come from the environment, with
 * `.env` (dotenv) filling in what the environment does not set.
 *
 * @throws ConfigError naming every invalid setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { dotenvFile = true } = {}): Config {
  if (dotenvFile) dotenv.config({ quiet: true });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return toConfig(parsed.data);
}

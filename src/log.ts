import pino from 'pino';
import pretty from 'pino-pretty';

/**
 * Where logs go by default: readable lines on a terminal, JSON lines when
 * standard error is a file or a pipe (a log collector reads those).
 */
function defaultDestination(): pino.DestinationStream {
  if (!process.stderr.isTTY) return pino.destination(2);
  return pretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}

/**
 * The application logger on stderr (see defaultDestination). Anything that
 * looks like a bot token, and every secret registered with `registerSecret`,
 * is redacted wherever it appears in a message, an error or a field.
 */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = defaultDestination(),
) {
  return pino(
    {
      level,
      redact: { paths: ['token', '*.token', 'config.telegram.token'], censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(redactSecrets) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;

const REDACTED = '[secret]';

/**
 * A Telegram bot token (123456:ABC…) in any form: alone, inside a Bot API URL
 * ("/bot123456:ABC…/getMe", where no word boundary precedes the digits) or
 * URL-encoded ("123456%3AABC…").
 */
const TOKEN_PATTERN = /(?<![0-9])\d{5,}(?::|%3A)[A-Za-z0-9_-]{20,}/gi;

/** Exact secrets to redact (a token, a webhook secret, a Redis password), in their plain and URL-encoded forms. */
const secrets = new Set<string>();

/** Adds a secret that must never be logged or printed (too short ones are ignored: they would redact ordinary words). */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 6) return;
  secrets.add(secret);
  secrets.add(encodeURIComponent(secret));
}

function redactText(text: string): string {
  let redacted = text.replace(TOKEN_PATTERN, REDACTED);
  for (const secret of secrets) redacted = redacted.split(secret).join(REDACTED);
  return redacted;
}

/** Replaces secrets in strings, error messages and stacks, and plain objects' fields. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) {
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    copy.stack = value.stack ? redactText(value.stack) : undefined;
    return copy;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  if (Array.isArray(value)) return value.map(redactSecrets);
  return value;
}

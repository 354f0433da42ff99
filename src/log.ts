import pino from 'pino';

/**
 * The application logger (JSON lines on stderr). Anything that looks like a
 * bot token is redacted, wherever it appears in a message or error.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2)) {
  return pino(
    {
      level,
      redact: { paths: ['token', '*.token', 'config.telegram.token'], censor: '[secret]' },
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

const TOKEN_PATTERN = /\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g;

/** Replaces Telegram bot tokens (123456:ABC…) in strings, error messages and objects' fields. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(TOKEN_PATTERN, '[secret]');
  if (value && typeof value === 'object' && !(value instanceof Error) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  if (value instanceof Error) {
    const copy = new Error(redactSecrets(value.message) as string);
    copy.name = value.name;
    copy.stack = value.stack ? (redactSecrets(value.stack) as string) : undefined;
    return copy;
  }
  return value;
}

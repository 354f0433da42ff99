/**
 * The container's health check: exit 0 when the bot's /healthz answers. It is
 * served on WEBHOOK_PORT in webhook mode, on METRICS_PORT in polling mode.
 */
const port = process.env.WEBHOOK_URL ? (process.env.WEBHOOK_PORT ?? '8080') : process.env.METRICS_PORT;
if (!port) {
  process.stderr.write('No port to check: set METRICS_PORT in polling mode\n');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);

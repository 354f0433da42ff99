import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { collectProcessMetrics, registry } from './metrics.js';

/** What is not ready (an empty list: ready). */
export type ReadinessCheck = () => Promise<string[]>;

/** How long a readiness check may take before it counts as failed. */
const READY_TIMEOUT_MS = 2000;

async function problemsOf(check: ReadinessCheck): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([`readiness check took over ${READY_TIMEOUT_MS} ms`]), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((error: Error) => [error.message]), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The operations endpoints, for load balancers and Prometheus:
 * `GET /healthz` (the process is up), `GET /readyz` (it can answer: 503 and
 * what is missing otherwise) and `GET /metrics` (Prometheus's text format).
 * Returns a request handler that says whether the request was one of them.
 */
export function opsEndpoints(ready: ReadinessCheck): (req: IncomingMessage, res: ServerResponse) => boolean {
  collectProcessMetrics();
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      if (!res.headersSent) res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/healthz') send(200, 'ok\n');
    else if (path === '/readyz')
      void problemsOf(ready).then((problems) =>
        problems.length ? send(503, `not ready: ${problems.join('; ')}\n`) : send(200, 'ready\n'),
      );
    else if (path === '/metrics')
      void registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        () => send(500, 'metrics could not be collected\n'),
      );
    else return false;
    return true;
  };
}

/** A server of the operations endpoints alone (METRICS_PORT), for long polling, which has no server of its own. */
export async function startOpsServer(options: { port: number; host: string; ready: ReadinessCheck }): Promise<{
  port: number;
  close(): Promise<void>;
}> {
  const handle = opsEndpoints(options.ready);
  const server: Server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

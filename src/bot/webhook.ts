import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { type Logger, redactSecrets } from '../log.js';
import { metrics } from '../ops/metrics.js';
import type { BotContext } from './context.js';
import { LEASE_MS, type UpdateLeases } from './state/leases.js';

export interface WebhookServerOptions {
  /** The local port to listen on. */
  port: number;
  /** The address to listen on (WEBHOOK_HOST). Default 0.0.0.0: every interface. */
  host?: string;
  /** The path Telegram posts to (the path of WEBHOOK_URL). */
  path: string;
  /** Telegram's X-Telegram-Bot-Api-Secret-Token; requests without it are refused. Default: none checked. */
  secret?: string;
  /** De-duplication of updates delivered twice (to this replica or another). */
  leases: UpdateLeases;
  /** Updates handled at the same time; more wait their turn. Default 32. */
  concurrency?: number;
  /** Updates allowed to wait; beyond, new ones get 503 and Telegram delivers them again later. Default 1000. */
  maxQueue?: number;
  /**
   * An update is acknowledged as soon as it is handled, or after this long
   * if it is not handled yet (it goes on in the background). Telegram gives
   * up on a slow webhook and delivers again, so it must hear back in time.
   * Default 5000 ms.
   */
  ackAfterMs?: number;
  /** The operations endpoints (/healthz, /readyz, /metrics), served on the same port; says whether it took the request. */
  ops?: (req: IncomingMessage, res: ServerResponse) => boolean;
  logger: Logger;
}

/** The defaults of WebhookServerOptions. */
export const WEBHOOK_DEFAULTS = { concurrency: 32, maxQueue: 1000, ackAfterMs: 5000, host: '0.0.0.0' };
/** The largest update body accepted (Telegram's are a few KiB). */
const MAX_BODY_BYTES = 1024 * 1024;
/** How often a replica waiting on another's lease looks again. */
const LEASE_POLL_MS = 200;

/** A counting semaphore: at most `limit` holders; the rest wait in order. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  async take(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** A body over MAX_BODY_BYTES: answered 413, not read further. */
class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return reject(new BodyTooLarge());
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** How much of a refused body is read and dropped before the connection is cut. */
const DRAIN_BYTES = 16 * 1024 * 1024;

/** Reads the rest of a refused body into nothing, cutting the connection past DRAIN_BYTES. */
function drain(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The webhook endpoint, made so that no update can take it down: each update
 * is claimed (a lease, so a second delivery is not answered twice), handled
 * with bounded concurrency, and acknowledged when it is handled or after
 * `ackAfterMs`, whichever comes first; a slow or failing update is logged
 * and never ends the process. An update another replica is handling is
 * waited for; if that replica dies, its lease runs out and this one answers.
 */
export class WebhookServer {
  private readonly server: Server;
  private readonly slots: Slots;
  private readonly options: Required<Omit<WebhookServerOptions, 'secret' | 'ops'>> &
    Pick<WebhookServerOptions, 'secret' | 'ops'>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly bot: Bot<BotContext>,
    options: WebhookServerOptions,
  ) {
    this.options = { ...WEBHOOK_DEFAULTS, ...options };
    this.slots = new Slots(this.options.concurrency);
    this.server = createServer((req, res) => void this.receive(req, res));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
  }

  /** Stops taking updates and waits for the ones under way. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.inFlight]);
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, headers: Record<string, string> = {}) => {
      if (!res.headersSent) res.writeHead(status, headers).end();
    };
    const refuse = (status: number, reason: string, headers?: Record<string, string>) => {
      metrics.updatesRefused.inc({ reason });
      reply(status, headers);
    };
    try {
      if (this.options.ops?.(req, res)) return;
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== this.options.path)
        return reply(404);
      const { secret } = this.options;
      if (secret && !secretMatches(req.headers['x-telegram-bot-api-secret-token'], secret))
        return refuse(401, 'webhook secret');
      let update: Update;
      try {
        update = JSON.parse(await readBody(req)) as Update;
      } catch (error) {
        // Too large: say so. The rest is read and dropped (up to DRAIN_BYTES, then the connection is cut):
        // closing at once would reset the connection under a client still sending, and it would never
        // read the 413.
        if (error instanceof BodyTooLarge) {
          drain(req);
          return refuse(413, 'webhook body too large');
        }
        return refuse(400, 'webhook body malformed');
      }
      if (typeof update?.update_id !== 'number') return refuse(400, 'webhook body malformed');
      const claim = await this.claim(update.update_id);
      if (claim === 'done') return reply(200);
      if (claim === 'busy') return reply(503, { 'retry-after': '5' });
      if (this.slots.queued >= this.options.maxQueue) {
        await this.options.leases.release(update.update_id).catch(() => undefined);
        this.options.logger.warn(
          { updateId: update.update_id },
          'webhook queue full: update refused, Telegram will deliver it again',
        );
        return refuse(503, 'webhook queue full', { 'retry-after': '5' });
      }
      const handled = this.handle(update);
      const acknowledgedEarly = await Promise.race([
        handled.then(() => false),
        sleep(this.options.ackAfterMs).then(() => true),
      ]);
      if (acknowledgedEarly) {
        this.options.logger.warn(
          { updateId: update.update_id, afterMs: this.options.ackAfterMs },
          'slow update acknowledged before it was handled',
        );
      }
      reply(200);
    } catch (error) {
      this.options.logger.error({ err: redactSecrets(error) }, 'webhook request failed');
      reply(500);
    }
  }

  /**
   * Takes the update's lease, waiting (up to the acknowledgement deadline)
   * while another replica holds it. Without a working lease store (Redis
   * down), the update is handled: answering twice is better than never.
   */
  private async claim(updateId: number): Promise<'acquired' | 'done' | 'busy'> {
    const deadline = Date.now() + this.options.ackAfterMs;
    for (;;) {
      let result: 'acquired' | 'done' | 'busy';
      try {
        result = await this.options.leases.acquire(updateId);
      } catch (error) {
        this.options.logger.warn(
          { err: redactSecrets(error), updateId },
          'update lease unavailable: handling it anyway',
        );
        return 'acquired';
      }
      if (result !== 'busy' || Date.now() + LEASE_POLL_MS > deadline) return result;
      await sleep(LEASE_POLL_MS);
    }
  }

  /** Handles an update in its turn, renewing its lease meanwhile; never rejects. */
  private handle(update: Update): Promise<void> {
    const { leases, logger } = this.options;
    const id = update.update_id;
    const task = (async () => {
      await this.slots.take();
      const renewal = setInterval(() => void leases.renew(id).catch(() => undefined), LEASE_MS / 3);
      try {
        await this.bot.handleUpdate(update);
      } catch (error) {
        logger.error({ err: redactSecrets(error), updateId: id }, 'update failed');
      } finally {
        clearInterval(renewal);
        this.slots.give();
        await leases
          .complete(id)
          .catch((error) => logger.warn({ err: redactSecrets(error), updateId: id }, 'could not mark update done'));
      }
    })();
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
    return task;
  }
}

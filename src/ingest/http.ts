import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import robotsModule from 'robots-parser';
import { Agent, fetch } from 'undici';
import { type HostPolicy, hostOf } from './address.js';
import { IngestRefusedError } from './errors.js';

export interface WebClientOptions {
  policy: HostPolicy;
  /** Sent with every request; its first word is the name robots.txt rules are matched against. */
  userAgent: string;
  /** MAX_ARTICLE_BYTES: a response larger than this is cut off and refused. */
  maxBytes: number;
  /** Connect, headers and body timeout, each (INGEST_TIMEOUT_MS). */
  timeoutMs: number;
  /** Pause between two requests to one host (INGEST_HOST_DELAY_MS); robots.txt's Crawl-delay may lengthen it. */
  hostDelayMs: number;
}

/** A response read whole (within the size cap). */
export interface WebResponse {
  /** The address asked for, after redirects. */
  url: string;
  status: number;
  contentType: string;
  etag?: string;
  lastModified?: string;
  bytes: Buffer;
}

/** At most this many redirects are followed, each one checked like the first address. */
export const MAX_REDIRECTS = 5;
/** robots.txt files larger than this are read up to here (RFC 9309 asks for at least 500 KiB). */
const ROBOTS_MAX_BYTES = 512 * 1024;
/** Longest pause a robots.txt Crawl-delay may impose. */
const MAX_CRAWL_DELAY_MS = 30_000;
/** What the ingester reads: web pages and feeds. */
const READABLE =
  /^(text\/html|application\/xhtml\+xml|application\/(rss|atom|rdf)\+xml|application\/xml|text\/xml|text\/plain|application\/octet-stream)$/;
/** Types servers give pages and feeds by mistake: read, but only kept when the content is markup (see ingest.ts). */
export const VAGUE_TYPES = /^(text\/plain|application\/octet-stream)?$/;

// robots-parser is CommonJS whose types declare an ES default export: the module itself is the function.
const robotsParser = robotsModule as unknown as typeof robotsModule.default;
type Robots = ReturnType<typeof robotsParser>;

/**
 * The ingester's only way to the web: every connection's address checked
 * against the host policy (after DNS, and for each redirect, which are
 * followed here, at most five); robots.txt read once per host and obeyed;
 * one request at a time per host with a pause between them; responses cut
 * off at `maxBytes`; gzip, brotli and deflate decoded by undici.
 */
export class WebClient {
  private readonly agent: Agent;
  private readonly robots = new Map<string, Promise<{ robots?: Robots; refusal?: string; text: string }>>();
  /** Per host: the end of the last request made to it, and the chain of requests waiting. */
  private readonly hosts = new Map<string, { queue: Promise<unknown>; last: number; delayMs: number }>();
  /** Every request made, for tests and logs. */
  requests = 0;

  constructor(private readonly options: WebClientOptions) {
    const { policy, timeoutMs } = options;
    // The address the socket really connects to, checked after DNS: a public name that points inside is refused.
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        for (const { address } of addresses) {
          const why = policy.refusal(hostname, address);
          if (why) return callback(Object.assign(new Error(why), { code: 'EREFUSED_ADDRESS' }), '', 0);
        }
        if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    };
    this.agent = new Agent({
      connect: { lookup, timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /**
   * GETs a page or feed: checked, robots obeyed, redirects followed and
   * checked. A 304 (for conditional `headers`) comes back with no bytes.
   *
   * @throws IngestRefusedError naming the URL and the reason
   */
  async get(address: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    let url = parseUrl(address);
    for (let hop = 0; ; hop++) {
      await this.options.policy.check(url);
      await this.obeyRobots(url);
      const response = await this.request(url, headers, this.options.maxBytes, address);
      if ('location' in response) {
        if (hop >= MAX_REDIRECTS)
          throw new IngestRefusedError(address, 'redirects', `more than ${MAX_REDIRECTS} redirects`);
        url = parseUrl(new URL(response.location, url).href, address);
        continue;
      }
      return response;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One request, in its host's turn: a redirect's location, or the response read within `maxBytes`. */
  private request(
    url: URL,
    headers: Record<string, string>,
    maxBytes: number,
    asked: string,
    { anyType = false } = {},
  ): Promise<WebResponse | { location: string }> {
    return this.inTurn(hostOf(url), async () => {
      this.requests++;
      let response: Awaited<ReturnType<typeof fetch>>;
      try {
        response = await fetch(url, {
          dispatcher: this.agent,
          redirect: 'manual',
          headers: {
            'user-agent': this.options.userAgent,
            accept: 'text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9',
            'accept-encoding': 'gzip, deflate, br',
            ...headers,
          },
          signal: AbortSignal.timeout(this.options.timeoutMs * 3),
        });
      } catch (error) {
        throw networkRefusal(asked, url, error);
      }
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) throw new IngestRefusedError(asked, 'redirects', `HTTP ${response.status} without a Location`);
        return { location };
      }
      const base = {
        url: url.href,
        status: response.status,
        contentType: (response.headers.get('content-type') ?? '').trim(),
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
      if (response.status === 304) return { ...base, bytes: Buffer.alloc(0) };
      if (response.status >= 400) {
        await response.body?.cancel();
        throw new IngestRefusedError(asked, 'http', `${url.href} answered HTTP ${response.status}`);
      }
      const mediaType = base.contentType.split(';')[0].trim().toLowerCase();
      if (!anyType && mediaType && !READABLE.test(mediaType)) {
        await response.body?.cancel();
        throw new IngestRefusedError(asked, 'type', `${url.href} is ${mediaType}, not a web page or a feed`);
      }
      const declared = Number(response.headers.get('content-length'));
      if (declared > maxBytes && response.headers.get('content-encoding') === null) {
        await response.body?.cancel();
        throw new IngestRefusedError(asked, 'too-large', tooLarge(url, maxBytes, declared));
      }
      return { ...base, bytes: await readCapped(response, maxBytes, url, asked) };
    });
  }

  /**
   * Runs `work` when the host's previous request is done and its pause has
   * passed: one request at a time per host, never two in a burst.
   */
  private inTurn<T>(host: string, work: () => Promise<T>): Promise<T> {
    const state = this.hosts.get(host) ?? { queue: Promise.resolve(), last: 0, delayMs: this.options.hostDelayMs };
    this.hosts.set(host, state);
    const run = state.queue.then(async () => {
      const wait = state.last + state.delayMs - Date.now();
      if (state.last > 0 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await work();
      } finally {
        state.last = Date.now();
      }
    });
    state.queue = run.catch(() => undefined);
    return run;
  }

  /** Refuses a URL that the site's robots.txt disallows for our user agent, naming the rule. */
  private async obeyRobots(url: URL): Promise<void> {
    const origin = url.origin;
    let entry = this.robots.get(origin);
    if (!entry) {
      entry = this.readRobots(url);
      this.robots.set(origin, entry);
    }
    const { robots, refusal, text } = await entry;
    if (refusal) throw new IngestRefusedError(url.href, 'robots', refusal);
    if (robots?.isAllowed(url.href, this.options.userAgent) !== false) return;
    const line = robots.getMatchingLineNumber(url.href, this.options.userAgent) ?? -1;
    const rule = line > 0 ? text.split(/\r?\n/)[line - 1]?.trim() : undefined;
    throw new IngestRefusedError(
      url.href,
      'robots',
      `disallowed by ${origin}/robots.txt${rule ? ` (line ${line}: "${rule}")` : ''}`,
    );
  }

  /** A host's robots.txt, once per run: missing (4xx) allows everything; a server error disallows everything (RFC 9309). */
  private async readRobots(url: URL): Promise<{ robots?: Robots; refusal?: string; text: string }> {
    let at = new URL('/robots.txt', url);
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        await this.options.policy.check(at);
        const response = await this.request(at, { accept: 'text/plain' }, ROBOTS_MAX_BYTES, at.href, {
          anyType: true,
        }).catch((error: unknown) => {
          // An HTTP error is an answer; anything else (the network) is not.
          if (error instanceof IngestRefusedError && error.reason === 'http') return { status: statusOf(error) };
          if (error instanceof IngestRefusedError && error.reason === 'too-large') return { status: 200, cut: true };
          throw error;
        });
        if ('location' in response) {
          at = new URL(response.location, at);
          continue;
        }
        if (response.status >= 500) return { refusal: `${at.href} answered HTTP ${response.status}`, text: '' };
        if (response.status >= 400 || !('bytes' in response)) return { text: '' };
        const text = response.bytes.toString('utf8');
        const robots = robotsParser(at.href, text);
        const delay = robots.getCrawlDelay(this.options.userAgent);
        const host = this.hosts.get(hostOf(url));
        if (host && delay) host.delayMs = Math.max(host.delayMs, Math.min(delay * 1000, MAX_CRAWL_DELAY_MS));
        // Rules are for the site's own addresses: re-key them to the origin asked for after a redirect.
        return { robots: robotsParser(new URL('/robots.txt', url).href, text), text };
      }
      return { refusal: `${at.href}: more than ${MAX_REDIRECTS} redirects`, text: '' };
    } catch (error) {
      if (error instanceof IngestRefusedError && error.reason === 'address') throw error;
      const why = error instanceof IngestRefusedError ? error.detail : (error as Error).message;
      return { refusal: `robots.txt could not be read (${why})`, text: '' };
    }
  }
}

function statusOf(error: IngestRefusedError): number {
  return Number(/HTTP (\d+)/.exec(error.detail)?.[1] ?? 500);
}

/** A URL as given, or a refusal naming it. */
export function parseUrl(text: string, asked = text): URL {
  try {
    return new URL(text);
  } catch {
    throw new IngestRefusedError(asked, 'url', `"${text}" is not a URL`);
  }
}

function tooLarge(url: URL, maxBytes: number, size?: number): string {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${url.href} is larger than MAX_ARTICLE_BYTES (${size ? `${mib(size)} > ` : 'over '}${mib(maxBytes)})`;
}

/** Reads a body up to `maxBytes`; past that the rest is never read (the connection is cancelled). */
async function readCapped(
  response: Awaited<ReturnType<typeof fetch>>,
  maxBytes: number,
  url: URL,
  asked: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) {
        await reader.cancel();
        throw new IngestRefusedError(asked, 'too-large', tooLarge(url, maxBytes));
      }
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    if (error instanceof IngestRefusedError) throw error;
    throw networkRefusal(asked, url, error);
  }
  return Buffer.concat(chunks);
}

/** A connection that failed: refused by the address check, timed out, reset. */
function networkRefusal(asked: string, url: URL, error: unknown): IngestRefusedError {
  let cause = error as { message?: string; code?: string; cause?: unknown };
  while (cause?.cause && !cause.code) cause = cause.cause as typeof cause;
  if (cause?.code === 'EREFUSED_ADDRESS') return new IngestRefusedError(asked, 'address', cause.message ?? '');
  const what = cause?.code ?? cause?.message ?? String(error);
  return new IngestRefusedError(asked, 'network', `${url.href} could not be fetched (${what})`);
}

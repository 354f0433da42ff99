import { decodeBody } from '../corpus/charset.js';
import { extractPage } from '../corpus/extract.js';
import { articleKey } from '../corpus/identity.js';
import { IngestRefusedError, type RefusalReason } from './errors.js';
import { FeedStates } from './feed-state.js';
import { readDocument } from './feeds.js';
import { VAGUE_TYPES, type WebClient } from './http.js';
import type { ArticleStore, WebArticle } from './store.js';

/** What became of one address: an article stored, a feed read, or a refusal with its reason. */
export interface Outcome {
  url: string;
  /** The address was given by the person (on the command line, in the chat), not found in a feed. */
  given: boolean;
  status: 'added' | 'updated' | 'unchanged' | 'refused' | 'feed' | 'not-modified';
  id?: string;
  title?: string;
  outlet?: string;
  date?: string;
  /** The canonical address the article is stored under. */
  canonical?: string;
  reason?: RefusalReason;
  detail?: string;
}

export interface IngestSummary {
  added: number;
  updated: number;
  unchanged: number;
  refused: { url: string; reason: RefusalReason; detail: string }[];
  /** Feeds and sitemaps read, and those that answered 304. */
  feeds: number;
  notModified: number;
  outcomes: Outcome[];
}

export interface IngesterOptions {
  client: WebClient;
  store: ArticleStore;
  /** Conditional requests for feeds and sitemaps; without it every feed is read whole. */
  feedStates?: FeedStates;
  /** Addresses handled at once (each host still gets one request at a time). */
  concurrency?: number;
  /** Called as addresses are done: `done` of `total` (the total grows as feeds list articles). */
  onProgress?: (done: number, total: number) => void;
}

/** How deep sitemap indexes are followed (an index of sitemaps of articles). */
const MAX_DEPTH = 2;

interface Task {
  /** Its place in the run: outcomes are reported in this order. */
  seq: number;
  url: string;
  given: boolean;
  depth: number;
  /** Listed by a feed or sitemap: not fetched again when the archive already has it. */
  listed: boolean;
}

/**
 * Reads addresses into the archive: each one is an article page, an RSS or
 * Atom feed, a sitemap or a sitemap index (found from the response); every
 * article found is extracted and stored. A refused or failing address never
 * stops the others. The index is updated by the caller, once, afterwards.
 */
export class Ingester {
  constructor(private readonly options: IngesterOptions) {}

  async run(urls: readonly string[]): Promise<IngestSummary> {
    const outcomes: Outcome[] = [];
    const queue: Task[] = urls.map((url, seq) => ({ seq, url, given: true, depth: 0, listed: false }));
    const order = new Map<Outcome, number>();
    let seq = urls.length;
    const seen = new Set<string>();
    let done = 0;
    const next = async (): Promise<void> => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        const key = keyOf(task.url);
        if (seen.has(key)) {
          done++;
          continue;
        }
        seen.add(key);
        const found: Task[] = [];
        for (const outcome of await this.one(task, found)) {
          order.set(outcome, task.seq);
          outcomes.push(outcome);
        }
        for (const next of found) queue.push({ ...next, seq: seq++ });
        done++;
        this.options.onProgress?.(done, done + queue.length);
      }
    };
    // Workers share the queue; feeds add to it while others work.
    let workers: Promise<void>[] = [];
    do {
      workers = Array.from({ length: this.options.concurrency ?? 4 }, next);
      await Promise.all(workers);
    } while (queue.length > 0);
    return summarize(outcomes.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
  }

  /** Stores articles read elsewhere (a CMS export). */
  async store(articles: Iterable<WebArticle | IngestRefusedError>): Promise<IngestSummary> {
    const outcomes: Outcome[] = [];
    for (const article of articles) {
      if (article instanceof IngestRefusedError) outcomes.push(refused(article.url, true, article));
      else outcomes.push(await this.put(article, { url: article.from, given: true }));
    }
    return summarize(outcomes);
  }

  private async one(task: Task, queue: Task[]): Promise<Outcome[]> {
    const { client, feedStates } = this.options;
    try {
      if (task.listed) {
        const id = await this.options.store.idOf(task.url);
        if (id) return [{ url: task.url, given: false, status: 'unchanged', id }];
      }
      const validators = task.given || task.depth > 0 ? await feedStates?.get(task.url) : undefined;
      const response = await client.get(task.url, FeedStates.headers(validators));
      if (response.status === 304) return [{ url: task.url, given: task.given, status: 'not-modified' }];
      const text = decodeBody(response.bytes, response.contentType);
      const document = readDocument(text, response.url);
      const mediaType = response.contentType.split(';')[0].trim().toLowerCase();
      if (
        document.kind === 'page' &&
        VAGUE_TYPES.test(mediaType) &&
        (response.bytes.includes(0) || !/<(html|body|p|div|article|table)\b/i.test(text.slice(0, 65536)))
      )
        throw new IngestRefusedError(
          task.url,
          'type',
          `${response.url} is ${mediaType || 'of no declared type'}, not a web page or a feed`,
        );
      if (document.kind === 'page') {
        if (task.depth > 0 && !task.listed)
          throw new IngestRefusedError(task.url, 'type', 'a sitemap index lists a page');
        const page = extractPage(text, response.url);
        if (page.paragraphs.length === 0)
          throw new IngestRefusedError(task.url, 'no-text', `no article text found in ${response.url}`);
        return [
          await this.put(
            {
              title: page.title,
              outlet: page.outlet,
              date: page.date,
              author: page.author,
              url: page.canonical ?? articleKey(response.url),
              from: task.url,
              paragraphs: page.paragraphs,
            },
            task,
          ),
        ];
      }
      if (document.kind === 'unknown-xml')
        throw new IngestRefusedError(task.url, 'type', `XML with a <${document.root}> root is not a feed or a sitemap`);
      if (task.listed) throw new IngestRefusedError(task.url, 'type', 'a feed lists a feed, not an article');
      await feedStates?.set(task.url, { etag: response.etag, lastModified: response.lastModified });
      if (document.kind === 'sitemap-index') {
        if (task.depth >= MAX_DEPTH) throw new IngestRefusedError(task.url, 'type', 'sitemap indexes nested too deep');
        for (const url of document.sitemaps)
          queue.push({ seq: 0, url, given: false, depth: task.depth + 1, listed: false });
      } else {
        for (const { url } of document.items)
          queue.push({ seq: 0, url, given: false, depth: task.depth + 1, listed: true });
      }
      return [{ url: task.url, given: task.given, status: 'feed' }];
    } catch (error) {
      if (error instanceof IngestRefusedError) return [refused(task.url, task.given, error)];
      throw error;
    }
  }

  private async put(article: WebArticle, task: { url: string; given: boolean }): Promise<Outcome> {
    try {
      const { status, id } = await this.options.store.put(article);
      const { title, outlet, date, url: canonical } = article;
      return { url: task.url, given: task.given, status, id, title, outlet, date, canonical };
    } catch (error) {
      if (error instanceof IngestRefusedError) return refused(task.url, task.given, error);
      throw error;
    }
  }
}

function refused(url: string, given: boolean, error: IngestRefusedError): Outcome {
  return { url, given, status: 'refused', reason: error.reason, detail: error.detail };
}

/** Addresses told apart without their tracking parameters; a string that is no URL is its own key. */
function keyOf(url: string): string {
  try {
    return articleKey(url);
  } catch {
    return url;
  }
}

function summarize(outcomes: Outcome[]): IngestSummary {
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    added: count('added'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    refused: outcomes
      .filter((o) => o.status === 'refused')
      .map((o) => ({ url: o.url, reason: o.reason as RefusalReason, detail: o.detail ?? '' })),
    feeds: count('feed') + count('not-modified'),
    notModified: count('not-modified'),
    outcomes,
  };
}

/**
 * npm run ingest -- URL... [--json] [--from export.jsonl|csv] [--follow]
 *
 * Articles from the web: each URL is an article page, an RSS/Atom feed or a
 * sitemap; every article found is stored where the engine keeps its articles
 * (CORPUS_DIR, or the database in postgres mode) and the index is updated
 * incrementally. --follow polls FEEDS every FEED_POLL_MINUTES.
 */
import { resolve } from 'node:path';
import { openState } from '../bot/state/state.js';
import { type Config, loadConfig } from '../config.js';
import type { Embedder } from '../embedding/embedder.js';
import { UsageError } from '../errors.js';
import { readExport } from '../ingest/cms-export.js';
import { FeedFollower, type FollowOptions, followFailure } from '../ingest/follow.js';
import type { IngestSummary, Outcome } from '../ingest/ingest.js';
import { createIngester, feedLease, type NamedStorage } from '../ingest/setup.js';
import { type ArticleStore, articleStoreFor } from '../ingest/store.js';
import { createLogger } from '../log.js';
import type { EngineBuildReport, SearchEngine } from '../search/engine.js';
import { openEngine } from '../search/open-engine.js';
import { command } from './command.js';
import { progressBar } from './progress.js';
import { runCli } from './run.js';
import { EMBEDDING_BAR, openEmbedder } from './setup.js';

const program = command(
  'ingest',
  'Add articles from the web: article pages, RSS/Atom feeds, sitemaps; or a CMS export.',
)
  .argument('[urls...]', 'addresses of article pages, feeds or sitemaps')
  .option(
    '--from <file>',
    'a CMS export: JSON lines (.jsonl) or CSV (.csv) with title, body or html, date, url, outlet',
  )
  .option('--follow', 'poll the feeds in FEEDS every FEED_POLL_MINUTES until stopped')
  .option('--corpus <dir>', 'folder the articles are written to with the local engine (default: CORPUS_DIR)')
  .option('--out <dir>', 'index folder (default: INDEX_DIR)')
  .option('--json', 'end each run with one JSON line of figures on standard output')
  .parse();

interface Options {
  from?: string;
  follow?: boolean;
  corpus?: string;
  out?: string;
  json?: boolean;
}

/** One line for a person: what became of an address. */
function outcomeLine(o: Outcome): string {
  switch (o.status) {
    case 'refused':
      return `refused   ${o.url}: ${o.detail}`;
    case 'feed':
      return `read      ${o.url}`;
    case 'not-modified':
      return `unchanged ${o.url} (not modified since the last run)`;
    default:
      return `${o.status.padEnd(9)} ${o.id}: ${o.title} — ${o.outlet || '?'} · ${o.date || '?'}${o.canonical ? ` <${o.canonical}>` : ''}`;
  }
}

/** What one run needs: the engine (whose store the articles go into), and the model, opened when first needed. */
interface Run {
  config: Config;
  options: Options;
  engine: SearchEngine;
  corpusDir: string;
  embedder: () => Promise<Embedder>;
}

/**
 * Fetches and stores (into the store the engine keeps its articles in: files
 * in the corpus folder, or the database), then indexes what was stored, once.
 */
async function runOnce(
  { config, options, engine, corpusDir, embedder }: Run,
  run: (store: ArticleStore, onProgress: (done: number, total: number) => void) => Promise<IngestSummary>,
): Promise<{ summary: IngestSummary; index?: EngineBuildReport }> {
  const store = articleStoreFor(engine, { corpusDir, maxBytes: config.maxArticleBytes });
  const bar = progressBar('Fetching [{bar}] {value}/{total} addresses');
  const summary = await run(store, bar.update).finally(bar.stop);
  if (!options.json) for (const o of summary.outcomes) process.stdout.write(`${outcomeLine(o)}\n`);
  else for (const r of summary.refused) process.stderr.write(`Refused ${r.url}: ${r.detail}\n`);
  let index: EngineBuildReport | undefined;
  if (summary.added + summary.updated > 0) {
    const embedBar = progressBar(EMBEDDING_BAR);
    index = await store
      .commit({
        embedder: await embedder(),
        chunking: config.chunking,
        maxArticleBytes: config.maxArticleBytes,
        onProgress: embedBar.update,
      })
      .finally(embedBar.stop);
    for (const { file, reason } of index.skipped) process.stderr.write(`Warning: skipped ${file}: ${reason}\n`);
  }
  const line = `Added ${summary.added}, updated ${summary.updated}, unchanged ${summary.unchanged}, refused ${summary.refused.length}${index ? `; index: ${index.articles} articles` : ''}`;
  if (options.json) {
    process.stderr.write(`${line}\n`);
    const { outcomes, ...figures } = summary;
    const articles = outcomes.filter((o) => o.id);
    const indexFigures = index && { articles: index.articles, embedded: index.embedded, version: index.version };
    process.stdout.write(`${JSON.stringify({ ...figures, articles, index: indexFigures })}\n`);
  } else process.stdout.write(`${line}\n`);
  return { summary, index };
}

runCli(async () => {
  const urls = program.args;
  const options = program.opts<Options>();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const corpusDir = options.corpus ? resolve(options.corpus) : config.corpusDir;
  const indexDir = options.out ? resolve(options.out) : config.indexDir;
  if (urls.length === 0 && !options.from && !options.follow)
    throw new UsageError('Give the addresses of article pages, feeds or sitemaps, --from FILE or --follow.');
  if (options.follow && config.ingest.feeds.length === 0)
    throw new UsageError('--follow polls the feeds listed in FEEDS; set FEEDS (comma-separated addresses) first.');
  const engine = await openEngine({ ...config, indexDir });
  let model: Promise<Embedder> | undefined;
  const run: Run = { config, options, engine, corpusDir, embedder: () => (model ??= openEmbedder(config)) };
  try {
    // Feed validators live in the bot's state store, so the bot and this command share them.
    const state = await openState({ dataDir: config.dataDir, redisUrl: config.redisUrl, logger });
    const storage: NamedStorage = (name, ttl) => state.storage(name, ttl);
    try {
      let refusedGiven = false;
      if (options.from || urls.length > 0) {
        const { summary } = await runOnce(run, async (store, onProgress) => {
          const { ingester, client } = createIngester(config, { storage, store, onProgress });
          try {
            const fromExport = options.from ? await ingester.store(await readExport(options.from)) : undefined;
            const fromWeb = urls.length > 0 ? await ingester.run(urls) : undefined;
            return merge(fromExport, fromWeb);
          } finally {
            await client.close();
          }
        });
        refusedGiven = summary.outcomes.some((o) => o.given && o.status === 'refused');
      }
      if (options.follow) await follow(run, storage, feedLease(state, engine), logger);
      if (refusedGiven) process.exitCode = 1;
    } finally {
      await state.close();
    }
  } finally {
    await engine.close();
  }
});

/** Polls FEEDS until SIGINT or SIGTERM (one process at a time, when the lease is shared). */
async function follow(
  run: Run,
  storage: NamedStorage,
  lease: FollowOptions['lease'],
  logger: ReturnType<typeof createLogger>,
): Promise<void> {
  const { config } = run;
  const follower = new FeedFollower({
    intervalMs: config.ingest.pollMinutes * 60_000,
    lease,
    poll: async () =>
      (
        await runOnce(run, async (store, onProgress) => {
          const { ingester, client } = createIngester(config, { storage, store, onProgress });
          return ingester.run(config.ingest.feeds).finally(() => client.close());
        })
      ).summary,
    onSkipped: () => logger.debug('another process holds the feed lease: it polls'),
    onError: (error, failed) => logger.error({ err: (error as Error).message }, followFailure(failed)),
  });
  process.stderr.write(
    `Following ${config.ingest.feeds.length} feed(s) every ${config.ingest.pollMinutes} min; Ctrl+C stops.\n`,
  );
  follower.start();
  await new Promise<void>((resolveStop) => {
    const stop = () => void follower.stop().then(resolveStop);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function merge(a: IngestSummary | undefined, b: IngestSummary | undefined): IngestSummary {
  if (!a) return b as IngestSummary;
  if (!b) return a;
  return {
    added: a.added + b.added,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    refused: [...a.refused, ...b.refused],
    feeds: a.feeds + b.feeds,
    notModified: a.notModified + b.notModified,
    outcomes: [...a.outcomes, ...b.outcomes],
  };
}

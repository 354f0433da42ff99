import pg from 'pg';
import type { EngineArchive, EngineBuildReport, SearchEngine } from '../engine.js';
import { databaseLease, findArticle, storeArticle } from './archive.js';
import { buildPostgresIndex, type PostgresBuildOptions, type PostgresBuildReport } from './build.js';
import { type ConnectOptions, connectDatabase } from './connect.js';
import { DatabaseEmptyError } from './errors.js';
import { PostgresIndex } from './postgres-index.js';
import { DEFAULT_POSTINGS_CACHE_MB, PostingsCache } from './postings-cache.js';
import { readCurrentBuild, readCurrentBuildId, versionOf } from './store.js';

export interface EngineOptions extends ConnectOptions {
  /** MiB of BM25 postings kept in the process (POSTINGS_CACHE_MB; 0: none, every search in the database). */
  postingsCacheMb?: number;
  /**
   * MiB of the postings cache filled as a build opens, with the postings of the build's commonest terms
   * (PostgresIndex.warm). Default: a quarter of postingsCacheMb; 0: none (a replica's cache fills from its questions only).
   */
  warmPostingsMb?: number;
}

/** How often replicas read the current_build row when no notification comes (a server without LISTEN, a proxy in between). */
export const POLL_INTERVAL_MS = 2000;

/**
 * The postgres engine: builds, articles, passages, vectors and BM25 postings
 * in one PostgreSQL database with pgvector (DATABASE_URL). Replicas hold no
 * index: each question reads the published build's rows. A new build is
 * seen by LISTEN on `search_build` (published by the builder in the same
 * transaction that moves current_build) and, as a fallback, by polling the
 * current_build row.
 */
export class PostgresEngine implements SearchEngine {
  readonly backend = 'postgres' as const;
  readonly location: string;

  /** The BM25 postings this replica's questions read, kept for the next ones (POSTINGS_CACHE_MB), shared by its indexes. */
  readonly postings: PostingsCache;

  /** The bytes of the postings cache PostgresIndex.warm fills as a build opens. */
  private readonly warmBytes: number;

  /** The build opened last (watch: a newer one is news, even if published before watching began). */
  private opened: number | undefined;

  private constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
    postingsCacheMb: number,
    warmPostingsMb: number,
  ) {
    this.location = describeDatabase(url);
    this.postings = new PostingsCache(postingsCacheMb * 2 ** 20);
    this.warmBytes = Math.min(warmPostingsMb, postingsCacheMb) * 2 ** 20;
  }

  /** @throws DatabaseUnavailableError, VectorExtensionError, DatabaseSchemaError */
  static async connect(url: string, options: EngineOptions = {}): Promise<PostgresEngine> {
    const { postingsCacheMb = DEFAULT_POSTINGS_CACHE_MB, warmPostingsMb = postingsCacheMb / 4, ...connect } = options;
    return new PostgresEngine(await connectDatabase(url, connect), url, postingsCacheMb, warmPostingsMb);
  }

  /** @throws DatabaseEmptyError when no build was published yet. */
  async open(): Promise<PostgresIndex> {
    const row = await readCurrentBuild(this.pool);
    if (!row) throw new DatabaseEmptyError();
    this.opened = row.id;
    const index = new PostgresIndex(this.pool, row, this.postings);
    // Before its first question (a replica switching builds answers from the old one meanwhile, with its
    // postings): what the build this replica answered from before read and this one did not change,
    // then the commonest terms. Only a head start: should it fail, the index reads what its questions
    // need, as it would anyway.
    const before = [...this.postings.builds()].filter((build) => build < row.id);
    await (async () => {
      if (before.length > 0) await index.carryOver(Math.max(...before));
      await index.warm(this.warmBytes);
    })().catch((error: unknown) =>
      // On stderr, as Node prints warnings: the database's message (never the URL), and that nothing is lost.
      process.emitWarning(
        `the postings cache was not warmed (${error instanceof Error ? error.message : String(error)}); questions read what they need from the database`,
        'PostgresWarmUpWarning',
      ),
    );
    // The replica moves to this build: the postings of the others are of no more use.
    this.postings.dropOtherBuilds(row.id);
    return index;
  }

  async currentVersion(): Promise<string | undefined> {
    const id = await readCurrentBuildId(this.pool);
    return id === undefined ? undefined : versionOf(id);
  }

  watch(onPublished: () => void, { intervalMs = POLL_INTERVAL_MS }: { intervalMs?: number } = {}): () => void {
    let stopped = false;
    // The build this engine opened last: one published since (while it opened, before the first poll) is news.
    let last: number | undefined = this.opened;
    let polling = false;
    const poll = async () => {
      if (polling || stopped) return;
      polling = true;
      try {
        const id = await readCurrentBuildId(this.pool);
        if (id !== undefined && last !== undefined && id !== last) onPublished();
        last = id;
      } catch {
        // the database is away for a moment: the index open goes on answering, and the next poll tries again
      } finally {
        polling = false;
      }
    };
    void poll();
    const timer = setInterval(poll, intervalMs);
    timer.unref();
    // LISTEN on a connection of its own, outside the pool; where notifications do not arrive, polling does the work.
    const listener = new pg.Client({ connectionString: this.url });
    listener.on('error', () => undefined);
    listener.on('notification', () => void poll());
    listener
      .connect()
      .then(() => listener.query('LISTEN search_build'))
      .catch(() => undefined);
    return () => {
      stopped = true;
      clearInterval(timer);
      void listener.end().catch(() => undefined);
    };
  }

  /**
   * Builds and publishes: the corpus folder's articles (when `corpusDir` is given), and an
   * editor's additions and removals (`add`, `remove`), which the database keeps as the archive of record.
   */
  build(options: Omit<PostgresBuildOptions, 'pool'>): Promise<PostgresBuildReport & EngineBuildReport> {
    return buildPostgresIndex({ ...options, pool: this.pool }).then((report) => ({
      ...report,
      ...(report.published ? {} : { note: 'nothing changed: no build published' }),
    }));
  }

  /**
   * Editors' articles (origin 'chat') and ingested ones (origin 'web') are kept in the database,
   * whatever corpus folder a later build reads. Ingested articles wait in the inbox for the next build.
   */
  readonly archive: EngineArchive = {
    add: (article, options) => this.build({ ...options, add: [article] }),
    remove: (id, options) => this.build({ ...options, remove: [id] }),
    find: (by) => findArticle(this.pool, by),
    store: (article) => storeArticle(this.pool, article, 'web'),
    publish: (options) => this.build(options),
    lease: (name, holder, ttlMs) => databaseLease(this.pool, name, holder, ttlMs),
  };

  needsBuild(error: unknown): boolean {
    return error instanceof DatabaseEmptyError;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/** The database as messages may name it: host, port and database, never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

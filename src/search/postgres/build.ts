import { hostname } from 'node:os';
import type pg from 'pg';
import type { Article } from '../../corpus/article.js';
import { type ChunkOptions, type ChunkRange, chunkSentences } from '../../corpus/chunks.js';
import { articleKeyOrNone, articleTextHash, textHash } from '../../corpus/identity.js';
import { listCorpus, loadCorpus, parseArticleFile, type SkippedFile } from '../../corpus/load.js';
import { ArticleExistsError, ArticleNotFoundError, LastArticleError } from '../../corpus/submit.js';
import type { Embedder } from '../../embedding/embedder.js';
import { UserError } from '../../errors.js';
import { analyser, runningAverage } from '../bm25.js';
import type { EngineBuildReport } from '../engine.js';
import { compareFiles } from '../order.js';
import { chunkText, passageKey } from '../passages.js';
import { readInbox } from './archive.js';
import { DatabaseBuildLockedError, DatabaseDimensionError } from './errors.js';
import { createIndexes, dropIndexesIfEmpty, ensureVectorColumns } from './schema.js';
import { type BuildRow, KIND, readCurrentBuild, VISIBLE, vectorLiteral, versionOf, visible } from './store.js';

/** An article an editor sent (or ingestion fetched): stored in the database, whatever the corpus folder holds. */
export interface SubmittedArticle {
  id: string;
  /** Its file name (id and extension: how it is parsed). */
  file: string;
  bytes: Buffer;
}

export interface PostgresBuildOptions {
  pool: pg.Pool;
  embedder: Embedder;
  chunking: ChunkOptions;
  /** The corpus folder: its articles replace the database's articles read from files (those sent from the chat stay). */
  corpusDir?: string;
  /** Articles to add (origin 'chat'). */
  add?: readonly SubmittedArticle[];
  /** Article ids to take out. */
  remove?: readonly string[];
  /** Embed every article again. */
  full?: boolean;
  maxArticleBytes?: number;
  onProgress?: (done: number, total: number) => void;
  onSkip?: (skipped: SkippedFile) => void;
  /** How long the build lease lasts without being renewed (default 120 s; renewed every third of it). */
  leaseSeconds?: number;
  /** Called once rows are written, before publishing (tests stop a build there). */
  beforePublish?: () => Promise<void>;
}

/** The engine's build report, with what only this engine tells: whether a build was published, and its phases. */
export interface PostgresBuildReport extends EngineBuildReport {
  /** The published build ("pg-N"); the previous one when nothing changed. */
  version: string;
  /** Was a new build published (false: nothing changed)? */
  published: boolean;
  /** Where the time went, in seconds: reading the corpus and the database, embedding, writing rows, making the indexes after the rows (a first build: HNSW graphs, postings keys, VACUUM ANALYZE), publishing. */
  phases: { read: number; embed: number; write: number; indexes: number; publish: number };
}

/** Where an article came from: the corpus folder, an editor in the chat, or the web (ingestion). */
type Origin = 'corpus' | 'chat' | 'web';

/** An article version visible in the published build. */
interface LiveArticle {
  key: number;
  id: string;
  origin: Origin;
  file: string;
  hash: string;
  file_bytes: number | null;
  file_mtime: number | null;
  source: string;
}

/** An article to write, with where it came from. */
interface NewArticle {
  article: Article;
  origin: Origin;
  source: string;
  stamp?: { bytes: number; mtimeMs: number };
}

/** The lease was lost (it expired while the build was stopped, and another builder took it). */
export class LeaseLostError extends UserError {
  override readonly name = 'LeaseLostError';

  constructor() {
    super('This build lost its lease on the database (it was stopped too long); nothing was published. Run it again.');
  }
}

/** Articles written per batch of INSERTs. */
const BATCH_ARTICLES = 200;

/**
 * Builds the index in the database: reads the corpus folder (when given),
 * compares it with the published build's articles by file stamp and content
 * hash, embeds only what is new or changed, writes it as rows of a new build
 * beside the published one (which readers go on using), and publishes by
 * moving the current_build row in one transaction. Nothing changed: nothing
 * embedded, nothing published. Under the build lease; a build that dies
 * leaves rows the next build deletes first.
 */
export async function buildPostgresIndex(options: PostgresBuildOptions): Promise<PostgresBuildReport> {
  const started = performance.now();
  let lapStart = started;
  const lap = () => {
    const now = performance.now();
    const seconds = Number(((now - lapStart) / 1000).toFixed(3));
    lapStart = now;
    return seconds;
  };
  const phases = { read: 0, embed: 0, write: 0, indexes: 0, publish: 0 };
  const { pool, embedder, chunking } = options;
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const leaseSeconds = options.leaseSeconds ?? 120;
  await acquireLease(pool, holder, leaseSeconds);
  // Renewed on a connection of its own, held for the build: a new connection could not be opened in
  // time while the server is busy with the build's own long statements (one PGlite backend serves
  // every connection in turn; the renewal then runs right after the statement).
  const leaseClient = await pool.connect();
  let renewing = false;
  const renew = setInterval(
    () => {
      if (renewing) return; // the last renewal still waits its turn
      renewing = true;
      leaseClient
        .query(`UPDATE build_lease SET expires_at = now() + $2 * interval '1 second' WHERE holder = $1`, [
          holder,
          leaseSeconds,
        ])
        .catch(() => undefined)
        .finally(() => {
          renewing = false;
        });
    },
    (leaseSeconds * 1000) / 3,
  );
  renew.unref();
  try {
    const current = await readCurrentBuild(pool);
    await cleanUp(pool, current?.id ?? 0);
    await fillIdentity(pool);
    const dimension = await ensureVectorColumns(pool, embedder.dimension);
    if (dimension !== embedder.dimension)
      throw new DatabaseDimensionError(dimension, embedder.dimension, embedder.modelId);

    const fullRebuildReason = !current
      ? undefined
      : options.full
        ? 'asked for (--full)'
        : current.model !== embedder.modelId
          ? `the published build was made with ${current.model}`
          : current.chunk_max_chars !== chunking.maxChars || current.chunk_overlap !== chunking.overlap
            ? 'the published build was chunked differently'
            : undefined;
    const reusable = current !== undefined && fullRebuildReason === undefined;
    const live = current
      ? (
          await pool.query<LiveArticle>(
            `SELECT key, id, origin, file, hash, file_bytes, file_mtime, CASE WHEN origin <> 'corpus' THEN source END AS source
               FROM articles WHERE ${VISIBLE} ORDER BY key`,
            [current.id],
          )
        ).rows.map((a) => ({
          ...a,
          key: Number(a.key),
          file_bytes: a.file_bytes === null ? null : Number(a.file_bytes),
        }))
      : [];

    // What goes, what comes.
    const gone = new Set<LiveArticle>();
    const fresh: NewArticle[] = [];
    const skipped: SkippedFile[] = [];
    if (options.corpusDir) {
      const fromFiles = live.filter((a) => a.origin === 'corpus');
      const listing = await listCorpus(options.corpusDir, { maxBytes: options.maxArticleBytes });
      const corpus = await loadCorpus(options.corpusDir, {
        files: listing,
        maxBytes: options.maxArticleBytes,
        ...(reusable
          ? {
              known: new Map(fromFiles.map((a) => [a.id, a.hash])),
              knownStamps: new Map(
                fromFiles.flatMap((a) =>
                  a.file_bytes !== null && a.file_mtime !== null
                    ? [[a.file, [a.file_bytes, a.file_mtime] as const]]
                    : [],
                ),
              ),
            }
          : {}),
      });
      for (const s of corpus.skipped) {
        skipped.push(s);
        options.onSkip?.(s);
      }
      for (const a of fromFiles) if (!corpus.unchanged.has(a.id)) gone.add(a);
      for (const article of corpus.articles) {
        const stamp = listing.stamps.get(article.file);
        fresh.push({ article, origin: 'corpus', source: article.text, ...(stamp ? { stamp } : {}) });
      }
    } else if (!reusable && live.some((a) => a.origin === 'corpus')) {
      throw new UserError(
        `The database's index must be built again (${fullRebuildReason}), which needs the corpus folder: run npm run index.`,
      );
    }
    for (const submitted of options.add ?? []) {
      const parsed = parseArticleFile(submitted.file, submitted.bytes);
      if ('reason' in parsed) throw new UserError(`The article ${submitted.file} cannot be read: ${parsed.reason}`);
      fresh.push({
        article: { ...parsed, id: submitted.id },
        origin: 'chat',
        source: submitted.bytes.toString('utf8'),
      });
    }
    // An editor's article never replaces one (remove it first), as in the corpus folder.
    const liveIds = new Set(live.map((a) => a.id));
    // Articles stored for this build (ingestion): new ones, and newer versions of published ones (same id).
    // One whose id a corpus file or an editor's article now has waits in no queue: it is skipped and dropped.
    const inbox = await readInbox(pool);
    // An article an editor removes goes from the inbox too (a newer version of it waiting there would
    // otherwise come back with this very build): its entries are deleted as the build is published.
    const removing = new Set(options.remove ?? []);
    const taken = new Set([
      ...fresh.map((f) => f.article.id),
      ...live.filter((a) => a.origin === 'corpus' && !gone.has(a)).map((a) => a.id),
    ]);
    for (const entry of inbox) {
      if (removing.has(entry.id)) continue;
      const parsed = taken.has(entry.id)
        ? { file: entry.file, reason: `an article with the id "${entry.id}" is already in the archive` }
        : parseArticleFile(entry.file, Buffer.from(entry.source, 'utf8'));
      if ('reason' in parsed) {
        skipped.push(parsed);
        options.onSkip?.(parsed);
        continue;
      }
      fresh.push({ article: { ...parsed, id: entry.id }, origin: entry.origin, source: entry.source });
    }
    const inboxDone = inbox.map((entry) => entry.seq);
    for (const submitted of options.add ?? [])
      if (liveIds.has(submitted.id)) throw new ArticleExistsError(submitted.id);
    const waiting = new Set(inbox.map((entry) => entry.id));
    for (const id of removing) if (!liveIds.has(id) && !waiting.has(id)) throw new ArticleNotFoundError(id);
    const removingLive = [...removing].filter((id) => liveIds.has(id)).length;
    if (removingLive > 0 && removingLive >= live.length && fresh.length === 0)
      throw new LastArticleError([...removing][0]);
    const arriving = new Set(fresh.map((f) => f.article.id));
    for (const a of live) {
      if (removing.has(a.id) || arriving.has(a.id)) gone.add(a);
      else if (!reusable && a.origin !== 'corpus') {
        // Built again from what the editor sent, kept whole.
        gone.add(a);
        const parsed = parseArticleFile(a.file, Buffer.from(a.source));
        if (!('reason' in parsed)) fresh.push({ article: parsed, origin: a.origin, source: a.source });
      }
    }
    // New articles in file-name order, as the local engine orders a build (and a delta).
    fresh.sort((a, b) => (a.article.file < b.article.file ? -1 : a.article.file > b.article.file ? 1 : 0));

    if (current && gone.size === 0 && fresh.length === 0) {
      // Only unreadable stored articles: dropped, nothing to publish.
      if (inboxDone.length > 0)
        await pool.query('DELETE FROM article_inbox WHERE seq = ANY($1::bigint[])', [inboxDone]);
      return {
        version: versionOf(current.id),
        published: false,
        articles: current.articles,
        sentences: current.sentences,
        chunks: current.chunks,
        embedded: 0,
        reused: current.articles,
        removed: 0,
        passagesEmbedded: 0,
        skipped,
        seconds: secondsSince(started),
        phases: { ...phases, read: lap() },
        model: current.model,
      };
    }

    const build = Number(
      (
        await pool.query<{ id: string }>(
          `INSERT INTO builds (id, status, model, dimension, chunk_max_chars, chunk_overlap, builder)
           VALUES (nextval('build_ids'), 'building', $1, $2, $3, $4, $5) RETURNING id`,
          [embedder.modelId, embedder.dimension, chunking.maxChars, chunking.overlap, holder],
        )
      ).rows[0].id,
    );

    phases.read = lap();
    // Embedded all at once, so that batches stay full (as locally).
    const planned = fresh.map((f) => ({
      ...f,
      chunks: chunkSentences(
        f.article.sentences.map((s) => s.text.length),
        chunking,
      ),
    }));
    const texts = planned.flatMap((p) => [
      ...p.article.sentences.map((s) => s.text),
      ...p.chunks.map((c) => chunkText(p.article, c)),
    ]);
    options.onProgress?.(0, texts.length);
    const vectors = await embedder.embedPassages(texts, (done) => options.onProgress?.(done, texts.length));

    phases.embed = lap();
    const next = (
      await pool.query<{ s: string; c: string }>(
        'SELECT (SELECT coalesce(max(id) + 1, 0) FROM sentences) AS s, (SELECT coalesce(max(id) + 1, 0) FROM chunks) AS c',
      )
    ).rows[0];
    const ids = { sentence: Number(next.s), chunk: Number(next.c) };
    const newLengths = { sentence: [] as number[], chunk: [] as number[] };
    const analyse = analyser();
    let v = 0;
    const bulk = await dropIndexesIfEmpty(pool);
    const addedKeys: string[] = [];
    for (let i = 0; i < planned.length; i += BATCH_ARTICLES) {
      const batch = planned.slice(i, i + BATCH_ARTICLES);
      const rows = writeRows(batch, ids, analyse, () => vectors[v++], newLengths);
      addedKeys.push(...(await insertBatch(pool, build, rows)));
    }
    const goneKeys = [...gone].map((a) => a.key);
    if (goneKeys.length > 0) {
      for (const table of ['articles', 'sentences', 'chunks', 'postings']) {
        const column = table === 'articles' ? 'key' : 'article_key';
        await pool.query(
          `UPDATE ${table} SET removed_in = $1 WHERE ${column} = ANY($2::bigint[]) AND removed_in IS NULL`,
          [build, goneKeys],
        );
      }
    }
    await updateDistinctVectors(pool, build, addedKeys, goneKeys.map(String));
    phases.write = lap();
    if (bulk) await createIndexes(pool, { analyze: true });
    phases.indexes = lap();

    await updateTermStatistics(pool, build, current?.id, [...addedKeys, ...goneKeys.map(String)]);
    // BM25's statistics, as the local engine computes them: the running average over every passage in
    // the order of their articles' files, then ids (src/search/order.ts); continued from the previous
    // build's when this one only adds articles whose files sort after every other.
    const lastFile = live.reduce((last, a) => (compareFiles(a.file, last) > 0 ? a.file : last), '');
    const appended = fresh.every((f) => compareFiles(f.article.file, lastFile) > 0);
    // The articles in id order (their keys, then the new ones as written): are their files in order too?
    const byId = [...live.filter((a) => !gone.has(a)).map((a) => a.file), ...planned.map((p) => p.article.file)];
    const idsInFileOrder = byId.every((file, i) => i === 0 || compareFiles(byId[i - 1], file) < 0);
    const stats = await collectionStats(
      pool,
      build,
      reusable && goneKeys.length === 0 && appended ? current : undefined,
      newLengths,
    );
    phases.write += lap();
    await options.beforePublish?.();
    await publish(pool, build, holder, { ...stats, idsInFileOrder }, inboxDone);
    phases.publish = lap();
    return {
      version: versionOf(build),
      published: true,
      articles: stats.articles,
      sentences: stats.sentences,
      chunks: stats.chunks,
      embedded: fresh.length,
      reused: stats.articles - fresh.length,
      removed: gone.size - [...gone].filter((a) => arriving.has(a.id) || (!reusable && a.origin !== 'corpus')).length,
      passagesEmbedded: texts.length,
      skipped,
      seconds: secondsSince(started),
      phases,
      model: embedder.modelId,
      ...(fullRebuildReason ? { fullRebuildReason } : {}),
    };
  } finally {
    clearInterval(renew);
    await leaseClient.query('DELETE FROM build_lease WHERE holder = $1', [holder]).catch(() => undefined);
    leaseClient.release();
  }
}

function secondsSince(started: number): number {
  return Number(((performance.now() - started) / 1000).toFixed(3));
}

/** @throws DatabaseBuildLockedError while another builder's lease runs. */
async function acquireLease(pool: pg.Pool, holder: string, seconds: number): Promise<void> {
  const taken = await pool.query(
    `INSERT INTO build_lease (singleton, holder, expires_at) VALUES (true, $1, now() + $2 * interval '1 second')
     ON CONFLICT (singleton) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE build_lease.expires_at < now()
     RETURNING holder`,
    [holder, seconds],
  );
  if (taken.rowCount === 1) return;
  const { rows } = await pool.query<{ holder: string; expires_at: Date }>('SELECT holder, expires_at FROM build_lease');
  throw new DatabaseBuildLockedError(rows[0]?.holder ?? 'unknown', rows[0]?.expires_at ?? new Date());
}

/**
 * Before a build: the rows of builds that never published (a builder killed
 * mid-way) go, their removal marks are undone, and rows removed before the
 * published build (no reader needs them: replicas switch within seconds) are
 * deleted.
 */
async function cleanUp(pool: pg.Pool, current: number): Promise<void> {
  await pool.query(`UPDATE builds SET status = 'abandoned' WHERE status = 'building'`);
  // Found by article (a few rows, indexed), then their passages and postings by article key.
  const { rows } = await pool.query<{ key: string; stale: boolean }>(
    `SELECT key, (added_in > $1 OR removed_in < $1) AS stale FROM articles
      WHERE added_in > $1 OR removed_in IS NOT NULL AND removed_in <> $1`,
    [current],
  );
  const stale = rows.filter((r) => r.stale).map((r) => r.key);
  const unmarked = rows.filter((r) => !r.stale).map((r) => r.key);
  // Term statistics are per build, not per article: those of unpublished builds go, their marks are undone.
  await pool.query('DELETE FROM term_stats WHERE added_in > $1 OR removed_in < $1', [current]);
  await pool.query('UPDATE term_stats SET removed_in = NULL WHERE removed_in > $1', [current]);
  // So are the distinct texts' vectors.
  for (const table of ['sentence_vectors', 'chunk_vectors']) {
    await pool.query(`DELETE FROM ${table} WHERE added_in > $1 OR removed_in < $1`, [current]);
    await pool.query(`UPDATE ${table} SET removed_in = NULL WHERE removed_in > $1`, [current]);
  }
  for (const table of ['postings', 'chunks', 'sentences', 'articles']) {
    const column = table === 'articles' ? 'key' : 'article_key';
    if (stale.length > 0) await pool.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::bigint[])`, [stale]);
    if (unmarked.length > 0)
      await pool.query(`UPDATE ${table} SET removed_in = NULL WHERE ${column} = ANY($1::bigint[])`, [unmarked]);
  }
}

/**
 * Articles written before migration 2 have no url_key or text_hash, so ingestion could not find them
 * when it reaches them again: filled in once, from their address and their sentences, as writeRows
 * computes them (articleKeyOrNone, articleTextHash). A partial index finds them; usually there are none.
 */
async function fillIdentity(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ key: string; url: string | null; texts: string[] }>(
    `SELECT a.key, a.url,
            (SELECT coalesce(array_agg(s.text ORDER BY s.position), '{}') FROM sentences s WHERE s.article_key = a.key)
              AS texts
       FROM articles a WHERE a.text_hash IS NULL`,
  );
  if (rows.length === 0) return;
  await pool.query(
    `UPDATE articles a SET text_hash = u.hash, url_key = coalesce(a.url_key, u.url_key)
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(key, hash, url_key) WHERE a.key = u.key`,
    [
      rows.map((r) => r.key),
      rows.map((r) => textHash(r.texts)),
      rows.map((r) => articleKeyOrNone(r.url ?? undefined) ?? null),
    ],
  );
}

/** Rows for one batch of articles, as column arrays (one INSERT per table). */
interface BatchRows {
  articles: Record<string, unknown[]>;
  sentences: Record<string, unknown[]>;
  chunks: Record<string, unknown[]>;
  postings: Record<string, unknown[]>;
}

function writeRows(
  batch: readonly (NewArticle & { chunks: ChunkRange[] })[],
  ids: { sentence: number; chunk: number },
  analyse: ReturnType<typeof analyser>,
  nextVector: () => Float32Array,
  lengths: { sentence: number[]; chunk: number[] },
): BatchRows {
  const rows: BatchRows = {
    articles: {
      id: [],
      origin: [],
      file: [],
      hash: [],
      bytes: [],
      mtime: [],
      title: [],
      outlet: [],
      date: [],
      url: [],
      urlKey: [],
      textHash: [],
      source: [],
    },
    sentences: { id: [], article: [], position: [], text: [], start: [], end: [], length: [], key: [], embedding: [] },
    chunks: { id: [], article: [], first: [], last: [], length: [], key: [], embedding: [] },
    postings: { kind: [], term: [], passage: [], tf: [], length: [], article: [] },
  };
  const push = (table: Record<string, unknown[]>, values: Record<string, unknown>) => {
    for (const [column, value] of Object.entries(values)) table[column].push(value);
  };
  const post = (kind: number, passage: number, article: string, text: string) => {
    const doc = analyse(text);
    for (const [term, tf] of doc.terms) push(rows.postings, { kind, term, passage, tf, length: doc.length, article });
    return doc.length;
  };
  for (const { article, origin, source, stamp, chunks } of batch) {
    push(rows.articles, {
      id: article.id,
      origin,
      file: article.file,
      hash: article.hash,
      bytes: stamp?.bytes ?? null,
      mtime: stamp?.mtimeMs ?? null,
      title: article.title,
      outlet: article.outlet,
      date: article.date,
      url: article.url ?? null,
      urlKey: articleKeyOrNone(article.url) ?? null,
      textHash: articleTextHash(article),
      source,
    });
    const firstSentence = ids.sentence;
    for (const [position, s] of article.sentences.entries()) {
      const id = ids.sentence++;
      const length = post(KIND.sentence, id, article.id, s.text);
      lengths.sentence.push(length);
      push(rows.sentences, {
        id,
        article: article.id,
        position,
        text: s.text,
        start: s.start,
        end: s.end,
        length,
        key: passageKey(s.text),
        embedding: vectorLiteral(nextVector()),
      });
    }
    for (const c of chunks) {
      const id = ids.chunk++;
      const text = chunkText(article, c);
      const length = post(KIND.chunk, id, article.id, text);
      lengths.chunk.push(length);
      push(rows.chunks, {
        id,
        article: article.id,
        first: firstSentence + c.first,
        last: firstSentence + c.last,
        length,
        key: passageKey(text),
        embedding: vectorLiteral(nextVector()),
      });
    }
  }
  return rows;
}

/** One batch's rows, in a few statements (unnest of arrays); articles' keys joined in by id. */
/** @returns the keys of the articles written. */
async function insertBatch(pool: pg.Pool, build: number, rows: BatchRows): Promise<string[]> {
  const a = rows.articles;
  const inserted = await pool.query<{ key: string; id: string }>(
    `INSERT INTO articles (id, origin, file, hash, file_bytes, file_mtime, title, outlet, date, url, url_key, text_hash,
                           source, added_in)
     SELECT *, $14::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[],
                                        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                                        $13::text[])
     RETURNING key, id`,
    [
      a.id,
      a.origin,
      a.file,
      a.hash,
      a.bytes,
      a.mtime,
      a.title,
      a.outlet,
      a.date,
      a.url,
      a.urlKey,
      a.textHash,
      a.source,
      build,
    ],
  );
  const keyOf = new Map(inserted.rows.map((r) => [r.id, r.key]));
  const keys = (articles: unknown[]) => articles.map((id) => keyOf.get(id as string));
  const s = rows.sentences;
  await pool.query(
    `INSERT INTO sentences (id, article_key, position, text, start_offset, end_offset, length, text_key, embedding,
                            added_in)
     SELECT id, k, p, t, so, eo, l, tk, e::vector, $10::bigint
       FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::int[], $6::int[], $7::int[], $8::bytea[],
                   $9::text[])
         AS u(id, k, p, t, so, eo, l, tk, e)`,
    [s.id, keys(s.article), s.position, s.text, s.start, s.end, s.length, s.key, s.embedding, build],
  );
  const c = rows.chunks;
  await pool.query(
    `INSERT INTO chunks (id, article_key, first_sentence, last_sentence, length, text_key, embedding, added_in)
     SELECT id, k, f, l, n, tk, e::vector, $8::bigint
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::bytea[], $7::text[])
         AS u(id, k, f, l, n, tk, e)`,
    [c.id, keys(c.article), c.first, c.last, c.length, c.key, c.embedding, build],
  );
  const p = rows.postings;
  await pool.query(
    `INSERT INTO postings (kind, term, passage, tf, length, article_key, added_in)
     SELECT *, $7::bigint FROM unnest($1::smallint[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::bigint[])`,
    [p.kind, p.term, p.passage, p.tf, p.length, keys(p.article), build],
  );
  return inserted.rows.map((r) => r.key);
}

/**
 * Each term's statistics in the new build (term_stats: documents holding it,
 * its highest tf, its shortest passage; what BM25's IDF and upper bounds
 * read), as rows versioned like the others. A first build counts every
 * posting; a later one only the terms of the articles it added or removed,
 * from the previous build's counts: documents exactly (plus added, minus
 * removed), and the highest tf and shortest length as bounds (a removal
 * keeps the old ones, still above and below what remains).
 */
async function updateTermStatistics(
  pool: pg.Pool,
  build: number,
  previous: number | undefined,
  changedArticles: readonly string[],
): Promise<void> {
  if (previous === undefined) {
    await pool.query(
      `INSERT INTO term_stats (kind, term, documents, max_tf, min_length, added_in)
       SELECT kind, term, count(*), max(tf), min(length), $1 FROM postings WHERE ${VISIBLE} GROUP BY kind, term`,
      [build],
    );
    return;
  }
  if (changedArticles.length === 0) return;
  await pool.query(
    `WITH delta AS (
       SELECT kind, term,
              count(*) FILTER (WHERE added_in = $1) - count(*) FILTER (WHERE removed_in = $1) AS change,
              max(tf) FILTER (WHERE added_in = $1) AS max_tf,
              min(length) FILTER (WHERE added_in = $1) AS min_length
         FROM postings WHERE article_key = ANY($3::bigint[]) GROUP BY kind, term),
     old AS (
       UPDATE term_stats s SET removed_in = $1 FROM delta d
        WHERE s.kind = d.kind AND s.term = d.term AND ${visible('s', '$2')}
       RETURNING s.kind, s.term, s.documents, s.max_tf, s.min_length)
     INSERT INTO term_stats (kind, term, documents, max_tf, min_length, added_in)
     SELECT d.kind, d.term, coalesce(o.documents, 0) + d.change, greatest(o.max_tf, d.max_tf),
            least(o.min_length, d.min_length), $1
       FROM delta d LEFT JOIN old o ON o.kind = d.kind AND o.term = d.term
      WHERE coalesce(o.documents, 0) + d.change > 0`,
    [build, previous, changedArticles],
  );
}

/**
 * The build's distinct texts' vectors (sentence_vectors, chunk_vectors: what
 * the dense search searches), kept as the passages change: a text that no
 * passage of the previous build had gets a row (the vector of its first new
 * passage: every passage with one text has the same vector), and a row whose
 * last passage goes is marked removed. A text whose first passage goes while
 * others stay keeps its row: the row is the text's, not a passage's.
 */
async function updateDistinctVectors(
  pool: pg.Pool,
  build: number,
  addedArticles: readonly string[],
  goneArticles: readonly string[],
): Promise<void> {
  for (const [passages, vectors] of [
    ['sentences', 'sentence_vectors'],
    ['chunks', 'chunk_vectors'],
  ] as const) {
    if (goneArticles.length > 0)
      await pool.query(
        `UPDATE ${vectors} v SET removed_in = $1
          WHERE v.key IN (SELECT text_key FROM ${passages} WHERE article_key = ANY($2::bigint[]))
            AND ${visible('v')}
            AND NOT EXISTS (SELECT 1 FROM ${passages} p WHERE p.text_key = v.key AND ${visible('p')})`,
        [build, goneArticles],
      );
    if (addedArticles.length > 0)
      // In the order of the passages' ids, as a graph of them would be built.
      await pool.query(
        `INSERT INTO ${vectors} (key, embedding, added_in)
         SELECT key, embedding, $1 FROM (
           SELECT DISTINCT ON (p.text_key) p.text_key AS key, p.embedding, p.id FROM ${passages} p
            WHERE p.article_key = ANY($2::bigint[]) ORDER BY p.text_key, p.id) d
          WHERE NOT EXISTS (SELECT 1 FROM ${vectors} v WHERE v.key = d.key AND ${visible('v')})
          ORDER BY d.id`,
        [build, addedArticles],
      );
  }
}

/** runningAverage (bm25.ts) continued from where it stood after `count` documents: the same operations, the same bits. */
function continuedAverage(from: { average: number; count: number }, lengths: readonly number[]): number {
  let { average, count } = from;
  for (const length of lengths) {
    average = (average * count + length) / (count + 1);
    count++;
  }
  return average;
}

interface BuildStats {
  articles: number;
  sentences: number;
  chunks: number;
  sentenceAvg: number;
  chunkAvg: number;
}

async function collectionStats(
  pool: pg.Pool,
  build: number,
  continued: BuildRow | undefined,
  added: { sentence: number[]; chunk: number[] },
): Promise<BuildStats> {
  const counts = (
    await pool.query<{ a: string; s: string; c: string }>(
      `SELECT (SELECT count(*) FROM articles WHERE ${VISIBLE}) AS a,
              (SELECT count(*) FROM sentences WHERE ${VISIBLE}) AS s,
              (SELECT count(*) FROM chunks WHERE ${VISIBLE}) AS c`,
      [build],
    )
  ).rows[0];
  const average = async (
    table: 'sentences' | 'chunks',
    kind: 'sentence' | 'chunk',
    previous?: { average: number; count: number },
  ) => {
    if (previous) return continuedAverage(previous, added[kind]);
    const { rows } = await pool.query<{ file: string; first: string; lengths: number[] }>(
      `SELECT a.file, min(p.id) AS first, array_agg(p.length ORDER BY p.id) AS lengths
         FROM ${table} p JOIN articles a ON a.key = p.article_key
        WHERE ${visible('p', '$1')} AND ${visible('a', '$1')} GROUP BY a.key, a.file`,
      [build],
    );
    rows.sort((a, b) => compareFiles(a.file, b.file) || Number(a.first) - Number(b.first));
    return runningAverage(rows.flatMap((r) => r.lengths));
  };
  return {
    articles: Number(counts.a),
    sentences: Number(counts.s),
    chunks: Number(counts.c),
    sentenceAvg: await average(
      'sentences',
      'sentence',
      continued && { average: continued.sentence_avg_length, count: continued.sentences },
    ),
    chunkAvg: await average(
      'chunks',
      'chunk',
      continued && { average: continued.chunk_avg_length, count: continued.chunks },
    ),
  };
}

/** Publishes a build: one transaction that checks the lease is still ours and moves the current_build row. */
async function publish(
  pool: pg.Pool,
  build: number,
  holder: string,
  stats: BuildStats & { idsInFileOrder: boolean },
  /** The inbox entries this build wrote (or skipped): gone from the inbox as the build is published. */
  inboxDone: readonly number[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lease = await client.query('SELECT 1 FROM build_lease WHERE holder = $1 AND expires_at > now() FOR UPDATE', [
      holder,
    ]);
    if (lease.rowCount !== 1) throw new LeaseLostError();
    await client.query(
      `UPDATE builds SET status = 'published', published_at = now(), articles = $2, sentences = $3, chunks = $4,
              sentence_avg_length = $5, chunk_avg_length = $6, ids_in_file_order = $7 WHERE id = $1`,
      [build, stats.articles, stats.sentences, stats.chunks, stats.sentenceAvg, stats.chunkAvg, stats.idsInFileOrder],
    );
    await client.query(
      `INSERT INTO current_build (singleton, build_id) VALUES (true, $1)
       ON CONFLICT (singleton) DO UPDATE SET build_id = excluded.build_id`,
      [build],
    );
    if (inboxDone.length > 0)
      await client.query('DELETE FROM article_inbox WHERE seq = ANY($1::bigint[])', [inboxDone]);
    // Replicas listening switch at once; the others within their polling interval.
    await client.query(`SELECT pg_notify('search_build', $1)`, [String(build)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

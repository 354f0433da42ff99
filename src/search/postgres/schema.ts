import type pg from 'pg';
import { DatabaseSchemaError } from './errors.js';

/**
 * The database's schema, as versioned migrations the program runs itself
 * (connectDatabase): each runs once, in order, in a transaction, and is
 * recorded in `schema_migrations`. A database migrated by a newer version of
 * the program is refused, not guessed at.
 *
 * Rows are versioned by build: every article, sentence, chunk and posting
 * row holds the build that added it (`added_in`) and, once it is gone or
 * replaced, the build that removed it (`removed_in`). Build B holds the rows
 * with added_in <= B and (removed_in IS NULL OR removed_in > B), so a build
 * writes its rows beside the published one without touching what readers
 * see, and publishing is moving the `current_build` row. Unchanged articles
 * are never rewritten.
 */
/**
 * The dense search of build `build` (postgres-index.ts, denseSearch): the
 * `k` texts (kind 0: sentences, 1: chunks) nearest `query` by pgvector's
 * HNSW (cosine), each expanded into every passage of the build with that
 * text, cut after `k` passages and those tied with the last; with each its
 * article's file when `with_files` (what orders equal hits when the build's
 * ids do not follow its files), else ''.
 *
 * A function, so that HNSW's settings hold for this search only (its SET
 * clauses: iterative_scan strict_order, so that rows of other builds
 * skipped still leave k hits in distance order; ef_search, HNSW's candidate
 * list, the caller's `ef`, set inside and put back on return), and the
 * question's vector is a parameter, sent in binary and read once.
 * Planned for each call's values (force_custom_plan): the plan for a
 * LIMIT of 100 is not the plan for an unknown one.
 */
const DENSE_SEARCH = `
CREATE FUNCTION dense_search(kind smallint, query vector, build bigint, k integer, ef integer, with_files boolean)
RETURNS TABLE (id bigint, distance double precision, file text)
LANGUAGE plpgsql STABLE
SET hnsw.iterative_scan = strict_order
SET hnsw.ef_search = 64
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
  PERFORM set_config('hnsw.ef_search', ef::text, true);
  IF kind = 0 THEN
    ${denseQuery('sentence_vectors', 'sentences')}
  ELSE
    ${denseQuery('chunk_vectors', 'chunks')}
  END IF;
END
$$;
`;

/** dense_search's query over one kind: its texts' vectors, then the passages with those texts. */
function denseQuery(vectors: string, passages: string): string {
  return `RETURN QUERY
      WITH d AS MATERIALIZED (
        SELECT v.key, v.embedding <=> query AS distance FROM ${vectors} v
         WHERE v.added_in <= build AND (v.removed_in IS NULL OR v.removed_in > build)
         ORDER BY distance LIMIT k)
      SELECT p.id, d.distance,
             CASE WHEN with_files THEN (SELECT a.file FROM articles a WHERE a.key = p.article_key) ELSE '' END
        FROM d JOIN ${passages} p ON p.text_key = d.key AND p.added_in <= build AND (p.removed_in IS NULL OR p.removed_in > build)
       ORDER BY d.distance FETCH FIRST k ROWS WITH TIES;`;
}

const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'builds, articles, passages, postings',
    sql: `
CREATE TABLE builds (
  id bigint PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('building', 'published', 'abandoned')),
  model text NOT NULL,
  dimension integer NOT NULL,
  chunk_max_chars integer NOT NULL,
  chunk_overlap integer NOT NULL,
  builder text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  articles integer,
  sentences integer,
  chunks integer,
  -- BM25's average lengths, as the local engine computes them (runningAverage, in id order).
  sentence_avg_length double precision,
  chunk_avg_length double precision
);
CREATE SEQUENCE build_ids;

-- The published build: one row, moved in one transaction.
CREATE TABLE current_build (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  build_id bigint NOT NULL REFERENCES builds (id)
);

-- The build lease: whoever holds an unexpired row may write a build.
CREATE TABLE build_lease (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The archive of record: every version of every article, with the file it was read from
-- (origin 'corpus') or what an editor sent (origin 'chat'), kept whole in 'source'.
CREATE TABLE articles (
  key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL,
  origin text NOT NULL CHECK (origin IN ('corpus', 'chat')),
  file text NOT NULL,
  hash text NOT NULL,
  file_bytes bigint,
  file_mtime double precision,
  title text NOT NULL,
  outlet text NOT NULL,
  date text NOT NULL,
  url text,
  source text NOT NULL,
  added_in bigint NOT NULL,
  removed_in bigint
);
CREATE INDEX articles_id ON articles (id);
CREATE INDEX articles_added ON articles (added_in);

CREATE TABLE sentences (
  id bigint PRIMARY KEY,
  article_key bigint NOT NULL,
  position integer NOT NULL,
  text text NOT NULL,
  start_offset integer NOT NULL,
  end_offset integer NOT NULL,
  length integer NOT NULL,
  added_in bigint NOT NULL,
  removed_in bigint
);
CREATE INDEX sentences_article ON sentences (article_key);

CREATE TABLE chunks (
  id bigint PRIMARY KEY,
  article_key bigint NOT NULL,
  first_sentence bigint NOT NULL,
  last_sentence bigint NOT NULL,
  length integer NOT NULL,
  added_in bigint NOT NULL,
  removed_in bigint
);
CREATE INDEX chunks_article ON chunks (article_key);

-- Passages and postings name their article version without a foreign key (checking one per
-- posting doubled the time a build writes): builds delete them with it (build.ts, cleanUp).

-- BM25 postings of both kinds (0: sentences, 1: chunks), terms as src/arabic's analyze gives them.
CREATE TABLE postings (
  kind smallint NOT NULL,
  term text NOT NULL,
  passage bigint NOT NULL,
  tf integer NOT NULL,
  length integer NOT NULL,
  article_key bigint NOT NULL,
  added_in bigint NOT NULL,
  removed_in bigint,
  PRIMARY KEY (kind, term, passage)
);
CREATE INDEX postings_article ON postings (article_key);
`,
  },
  {
    version: 2,
    name: 'articles from the web: the inbox, look-ups by address and text, shared leases',
    sql: `
-- Articles read from the web (origin 'web'), beside the corpus folder's and the editors'.
ALTER TABLE articles DROP CONSTRAINT articles_origin_check;
ALTER TABLE articles ADD CONSTRAINT articles_origin_check CHECK (origin IN ('corpus', 'chat', 'web'));
-- How one article reached twice is found (src/corpus/identity.ts): its address without tracking
-- parameters, and the hash of its sentences. Filled by every build from this version on.
ALTER TABLE articles ADD COLUMN url_key text;
ALTER TABLE articles ADD COLUMN text_hash text;
CREATE INDEX articles_url_key ON articles (url_key) WHERE url_key IS NOT NULL;
CREATE INDEX articles_text_hash ON articles (text_hash) WHERE text_hash IS NOT NULL;

-- Articles stored (by ingestion) and not yet in a published build: the next build of any kind
-- (npm run ingest's, npm run index, an editor's change) writes them and deletes them here, in
-- its publishing transaction. A newer version of an article replaces its entry (same id) and
-- gets a new seq, so a build deletes only the versions it wrote.
CREATE SEQUENCE article_inbox_seq;
CREATE TABLE article_inbox (
  id text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT nextval('article_inbox_seq'),
  origin text NOT NULL CHECK (origin IN ('chat', 'web')),
  file text NOT NULL,
  source text NOT NULL,
  url_key text,
  text_hash text NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_inbox_url_key ON article_inbox (url_key) WHERE url_key IS NOT NULL;
CREATE INDEX article_inbox_text_hash ON article_inbox (text_hash);

-- Leases other than the build's (e.g. which replica polls FEEDS): whoever holds an unexpired row.
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'postings key covering what BM25 reads',
    // A unique index rather than a primary key, so that a first build can drop it and make it after its
    // rows (see BULK_INDEXES); INCLUDE lets BM25's reads come from the index alone (index-only scans).
    sql: `
ALTER TABLE postings DROP CONSTRAINT postings_pkey;
CREATE UNIQUE INDEX postings_key ON postings (kind, term, passage) INCLUDE (tf, length, added_in, removed_in);
`,
  },
  {
    version: 4,
    name: 'term statistics per build',
    // What BM25 reads of a term before its postings (IDF, upper bounds), kept by the builds (build.ts,
    // updateTermStatistics) rather than counted per question; filled here for the published build.
    sql: `
CREATE TABLE term_stats (
  kind smallint NOT NULL,
  term text NOT NULL,
  documents integer NOT NULL,
  max_tf integer NOT NULL,
  min_length integer NOT NULL,
  added_in bigint NOT NULL,
  removed_in bigint,
  PRIMARY KEY (kind, term, added_in)
);
INSERT INTO term_stats (kind, term, documents, max_tf, min_length, added_in)
SELECT p.kind, p.term, count(*), max(p.tf), min(p.length), c.build_id
  FROM postings p CROSS JOIN current_build c
 WHERE p.added_in <= c.build_id AND (p.removed_in IS NULL OR p.removed_in > c.build_id)
 GROUP BY p.kind, p.term, c.build_id;
`,
  },
  {
    version: 5,
    name: 'whether a build numbers its passages in file order; articles without a text hash',
    // Equal scores are ordered by the articles' files, then ids (src/search/order.ts). A build whose ids
    // follow its articles' files (every build until an article is added whose file sorts before another's)
    // needs no look-up of files to order them; its builder says so here. Older builds: looked up.
    sql: `
ALTER TABLE builds ADD COLUMN ids_in_file_order boolean NOT NULL DEFAULT false;
-- Articles written before migration 2 lack url_key and text_hash (how ingestion finds an article reached
-- again); the next build fills them in from their address and sentences, found by this index.
CREATE INDEX articles_without_text_hash ON articles (key) WHERE text_hash IS NULL;
`,
  },
  {
    version: 6,
    name: 'one vector per distinct passage text: sentence_vectors, chunk_vectors',
    // Many passages share one text (wire copies, repeated lines): the dense search searches each text's vector
    // once, in a table per kind keyed by the text (passageKey: 16 bytes of its SHA-256), versioned by build like
    // the passages (a row lives while some passage of the build has its text), and a hit stands for every
    // passage with that key (postgres-index.ts, denseSearch). The passages' own HNSW indexes go: nothing
    // searches them. Rows written before get their keys here, and the published build its vectors.
    sql: `
ALTER TABLE sentences ADD COLUMN text_key bytea;
ALTER TABLE chunks ADD COLUMN text_key bytea;
UPDATE sentences SET text_key = substring(sha256(convert_to(text, 'UTF8')) FROM 1 FOR 16);
-- A chunk's text is its article's title, a line break, then its sentences joined by spaces (passages.ts, chunkText).
UPDATE chunks c SET text_key = (
  SELECT substring(sha256(convert_to(a.title || E'\\n' || string_agg(s.text, ' ' ORDER BY s.id), 'UTF8')) FROM 1 FOR 16)
    FROM sentences s JOIN articles a ON a.key = s.article_key
   WHERE s.article_key = c.article_key AND s.id BETWEEN c.first_sentence AND c.last_sentence
   GROUP BY a.title);
ALTER TABLE sentences ALTER COLUMN text_key SET NOT NULL;
ALTER TABLE chunks ALTER COLUMN text_key SET NOT NULL;
DROP INDEX IF EXISTS sentences_embedding;
DROP INDEX IF EXISTS chunks_embedding;
CREATE TABLE sentence_vectors (key bytea NOT NULL, added_in bigint NOT NULL, removed_in bigint, PRIMARY KEY (key, added_in));
CREATE TABLE chunk_vectors (key bytea NOT NULL, added_in bigint NOT NULL, removed_in bigint, PRIMARY KEY (key, added_in));
-- The vector columns, once a build has made the passages' (ensureVectorColumns makes them otherwise).
DO $$
DECLARE
  dims integer := (SELECT atttypmod FROM pg_attribute
                    WHERE attrelid = 'sentences'::regclass AND attname = 'embedding' AND NOT attisdropped);
BEGIN
  IF dims IS NOT NULL THEN
    EXECUTE format('ALTER TABLE sentence_vectors ADD COLUMN embedding vector(%s) NOT NULL', dims);
    EXECUTE format('ALTER TABLE chunk_vectors ADD COLUMN embedding vector(%s) NOT NULL', dims);
    INSERT INTO sentence_vectors (key, embedding, added_in)
    SELECT DISTINCT ON (s.text_key) s.text_key, s.embedding, c.build_id FROM sentences s CROSS JOIN current_build c
     WHERE s.added_in <= c.build_id AND (s.removed_in IS NULL OR s.removed_in > c.build_id)
     ORDER BY s.text_key, s.id;
    INSERT INTO chunk_vectors (key, embedding, added_in)
    SELECT DISTINCT ON (p.text_key) p.text_key, p.embedding, c.build_id FROM chunks p CROSS JOIN current_build c
     WHERE p.added_in <= c.build_id AND (p.removed_in IS NULL OR p.removed_in > c.build_id)
     ORDER BY p.text_key, p.id;
    -- Readers of the published build search these before any new build makes its indexes (BULK_INDEXES).
    CREATE INDEX sentence_vectors_embedding ON sentence_vectors
      USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200);
    CREATE INDEX chunk_vectors_embedding ON chunk_vectors
      USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200);
  END IF;
END $$;
CREATE INDEX sentences_text_key ON sentences (text_key) INCLUDE (id, article_key, added_in, removed_in);
CREATE INDEX chunks_text_key ON chunks (text_key) INCLUDE (id, article_key, added_in, removed_in);
`,
  },
  {
    version: 7,
    name: 'dense_search: the dense search as one function',
    // And the planner's statistics of the tables migration 6 rewrote (every passage got its text_key),
    // which a database upgraded through it had only once autovacuum came by (PGlite has none).
    sql: `${DENSE_SEARCH}
ANALYZE sentences, chunks, sentence_vectors, chunk_vectors;
`,
  },
];

/** The schema version this program writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Any fixed number: the lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 7_021_001;

/**
 * Brings the schema to SCHEMA_VERSION. Two processes starting at once
 * migrate one after the other (a transaction-scoped advisory lock).
 *
 * @throws DatabaseSchemaError when the database is newer than this program.
 */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied = async () =>
    (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0].v ?? 0;
  const before = await applied();
  if (before > SCHEMA_VERSION) throw newerSchema(before);
  if (before === SCHEMA_VERSION) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const now = await applied();
    if (now > SCHEMA_VERSION) throw newerSchema(now);
    for (const migration of MIGRATIONS) {
      if (migration.version <= now) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function newerSchema(found: number): DatabaseSchemaError {
  return new DatabaseSchemaError(
    `The database's schema is version ${found}, newer than this program's ${SCHEMA_VERSION}: run a newer version of the program, or use another database.`,
  );
}

/**
 * The indexes a first build drops and makes again after writing its rows (all
 * at once is several times faster than growing them row by row): HNSW as the
 * local graphs are built (local/hnsw.ts: cosine, m = 16, ef_construction = 200),
 * and the postings' two indexes (2.9 M rows at 10,000 articles, inserted in
 * passage order, not in the key's).
 */
const BULK_INDEXES = {
  sentence_vectors_embedding:
    'sentence_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)',
  chunk_vectors_embedding:
    'chunk_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)',
  // What a dense hit's text key is expanded by (every passage with that text), from the index alone.
  sentences_text_key: 'sentences (text_key) INCLUDE (id, article_key, added_in, removed_in)',
  chunks_text_key: 'chunks (text_key) INCLUDE (id, article_key, added_in, removed_in)',
  postings_key: 'postings (kind, term, passage) INCLUDE (tf, length, added_in, removed_in)',
  postings_article: 'postings (article_key)',
};
const UNIQUE = new Set(['postings_key']);

/**
 * The vector columns, made by the first build once the model's dimension is
 * known, and the indexes (made again if a first build died without them: see
 * dropIndexesIfEmpty). Returns the dimension the database holds.
 */
export async function ensureVectorColumns(db: pg.Pool, dimension: number): Promise<number> {
  const { rows } = await db.query<{ typmod: number }>(
    `SELECT atttypmod AS typmod FROM pg_attribute
      WHERE attrelid = 'sentences'::regclass AND attname = 'embedding' AND NOT attisdropped`,
  );
  if (rows.length === 0) {
    const d = Math.trunc(dimension);
    for (const table of ['sentences', 'chunks', 'sentence_vectors', 'chunk_vectors'])
      await db.query(`ALTER TABLE ${table} ADD COLUMN embedding vector(${d}) NOT NULL`);
  }
  await createIndexes(db);
  return rows[0]?.typmod ?? Math.trunc(dimension);
}

/**
 * The bulk indexes, where missing; built in memory (maintenance_work_mem) when
 * they are built over many rows at once. `analyze`: then the planner's
 * statistics and the visibility map (VACUUM), which index-only scans need,
 * for tables just filled.
 */
export async function createIndexes(db: pg.Pool, { analyze = false } = {}): Promise<void> {
  const client = await db.connect();
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const [name, definition] of Object.entries(BULK_INDEXES))
      await client.query(`CREATE ${UNIQUE.has(name) ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${definition}`);
    await client.query('RESET maintenance_work_mem');
    if (analyze)
      await client.query('VACUUM (ANALYZE) articles, sentences, chunks, postings, sentence_vectors, chunk_vectors');
  } finally {
    client.release();
  }
}

/**
 * Drops the bulk indexes while the tables are empty (a first build), to make
 * them after the rows (createIndexes). A first build killed in between leaves
 * rows the next build deletes (without the indexes: one scan), and the next
 * build makes the indexes again.
 */
export async function dropIndexesIfEmpty(db: pg.Pool): Promise<boolean> {
  const { rows } = await db.query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM sentences) AND NOT EXISTS (SELECT 1 FROM postings) AS empty',
  );
  if (!rows[0].empty) return false;
  for (const name of Object.keys(BULK_INDEXES)) await db.query(`DROP INDEX IF EXISTS ${name}`);
  return true;
}

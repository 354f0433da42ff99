import type pg from 'pg';
import type { ArchivedArticle, IncomingArticle, SharedLease } from '../engine.js';
import { visible } from './store.js';

/**
 * The database as the archive of record, for ingestion: look-ups of an
 * article by id, canonical address key or text hash (in the inbox of
 * articles stored for the next build first, then in the published build),
 * the inbox itself, and named leases.
 */

const COLUMN = { id: 'id', urlKey: 'url_key', textHash: 'text_hash' } as const;

/** The article stored (not yet built) or published under this id, address key or text hash. */
export async function findArticle(
  pool: pg.Pool,
  by: { id: string } | { urlKey: string } | { textHash: string },
): Promise<ArchivedArticle | undefined> {
  const [field, value] = Object.entries(by)[0] as [keyof typeof COLUMN, string];
  const column = COLUMN[field];
  const { rows } = await pool.query<ArchivedArticle>(
    `SELECT id, origin, source FROM (
       SELECT 0 AS rank, 0::bigint AS key, id, origin, source FROM article_inbox WHERE ${column} = $1
       UNION ALL
       SELECT 1, a.key, a.id, a.origin, a.source FROM articles a JOIN current_build c ON ${visible('a', 'c.build_id')}
        WHERE a.${column} = $1
     ) found ORDER BY rank, key LIMIT 1`,
    [value],
  );
  return rows[0];
}

/** Stores an article in the inbox; a newer version of one there replaces it (and gets a new seq). */
export async function storeArticle(pool: pg.Pool, article: IncomingArticle, origin: 'web' | 'chat'): Promise<void> {
  await pool.query(
    `INSERT INTO article_inbox (id, origin, file, source, url_key, text_hash) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET seq = nextval('article_inbox_seq'), origin = excluded.origin, file = excluded.file,
       source = excluded.source, url_key = excluded.url_key, text_hash = excluded.text_hash, stored_at = now()`,
    [article.id, origin, article.file, article.bytes.toString('utf8'), article.urlKey ?? null, article.textHash],
  );
}

/** An article of the inbox, as a build reads it. */
export interface InboxArticle {
  seq: number;
  id: string;
  origin: 'web' | 'chat';
  file: string;
  source: string;
}

export async function readInbox(db: pg.Pool | pg.ClientBase): Promise<InboxArticle[]> {
  const { rows } = await db.query<InboxArticle & { seq: string }>(
    'SELECT seq, id, origin, file, source FROM article_inbox ORDER BY seq',
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** A named lease in the `leases` table: one INSERT … ON CONFLICT takes it when free, expired or already ours. */
export function databaseLease(pool: pg.Pool, name: string, holder: string, ttlMs: number): SharedLease {
  return {
    async take() {
      const { rowCount } = await pool.query(
        `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE leases.expires_at < now() OR leases.holder = excluded.holder
         RETURNING holder`,
        [name, holder, ttlMs],
      );
      return rowCount === 1;
    },
    async release() {
      await pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
    },
  };
}

import pg from 'pg';
import { DatabaseUnavailableError, VectorExtensionError } from './errors.js';
import { migrate } from './schema.js';

export interface ConnectOptions {
  /** Connections in the pool (default 8: a question sends up to six queries at once). */
  max?: number;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
}

/** What a connection failure means to the person running the program, in a few words. */
export function describeConnectionError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'nothing answers at that host and port';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name cannot be resolved';
    case 'ETIMEDOUT':
      return 'the server did not answer in time';
    case '28P01':
    case '28000':
      return 'the server refused the user name or password';
    case '3D000':
      return 'the database does not exist (create it: createdb NAME)';
    case '42501':
      return 'the user lacks a permission it needs';
    default:
      if (/timeout/i.test(e.message ?? '')) return 'the server did not answer in time';
      return (e.message ?? String(error)).split('\n')[0];
  }
}

/**
 * A connection pool to the database in `url`, checked (it answers), with
 * the vector extension (created when missing, if we may), the schema
 * migrated to this version's.
 *
 * @throws DatabaseUnavailableError, VectorExtensionError, DatabaseSchemaError
 */
export async function connectDatabase(url: string, options: ConnectOptions = {}): Promise<pg.Pool> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new DatabaseUnavailableError('it is not a postgres:// URL');
  try {
    new URL(url);
  } catch {
    throw new DatabaseUnavailableError('it is not a valid URL');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle connection that drops (the server restarts) is replaced by the pool; never an unhandled error.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    try {
      await ensureVector(client);
      await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof VectorExtensionError || (error as Error).name === 'DatabaseSchemaError') throw error;
    throw new DatabaseUnavailableError(describeConnectionError(error));
  }
  return pool;
}

async function ensureVector(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ installed: string | null; available: string | null }>(
    `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed,
            (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available`,
  );
  if (rows[0].installed) return;
  if (!rows[0].available) throw new VectorExtensionError('the server does not have the extension');
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (error) {
    throw new VectorExtensionError(describeConnectionError(error));
  }
}

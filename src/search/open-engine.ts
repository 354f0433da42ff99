import type { Config } from '../config.js';
import { EngineUnavailableError, type SearchEngine } from './engine.js';
import { LocalEngine } from './local/engine.js';
import { PostgresEngine } from './postgres/engine.js';

/**
 * The engine SEARCH_BACKEND names, opened: the one place an engine is
 * chosen (the CLI, `npm start` and the bot get theirs from here).
 *
 * @throws EngineUnavailableError for an engine this program does not have, or without its settings;
 *   the postgres engine's DatabaseUnavailableError, VectorExtensionError, DatabaseSchemaError
 */
export async function openEngine(
  config: {
    indexDir: Config['indexDir'];
    /** The postings cache's size may be left out: its default (POSTINGS_CACHE_MB). */
    search: Omit<Config['search'], 'postingsCacheMb'> & Partial<Pick<Config['search'], 'postingsCacheMb'>>;
  },
  /** `warm: false`: the postgres engine does not warm its postings cache as it opens a build (a process asking one question). Default true. */
  { warm = true }: { warm?: boolean } = {},
): Promise<SearchEngine> {
  switch (config.search.backend) {
    case 'local':
      return LocalEngine.fromFolder(config.indexDir);
    case 'postgres':
      if (!config.search.databaseUrl)
        throw new EngineUnavailableError(
          'postgres',
          'DATABASE_URL is not set. Set it to postgres://user:password@host:5432/db (PostgreSQL with pgvector), or SEARCH_BACKEND=local (the default).',
        );
      // Connects, checks the vector extension and migrates the schema (one line on failure).
      return PostgresEngine.connect(config.search.databaseUrl, {
        postingsCacheMb: config.search.postingsCacheMb,
        ...(warm ? {} : { warmPostingsMb: 0 }),
      });
  }
}

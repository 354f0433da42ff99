import type { Config } from '../config.js';
import { EngineUnavailableError, type SearchEngine } from './engine.js';
import { LocalEngine } from './local/engine.js';

/**
 * The engine SEARCH_BACKEND names, opened: the one place an engine is
 * chosen (the CLI, `npm start` and the bot get theirs from here).
 *
 * @throws EngineUnavailableError for an engine this program does not have
 */
export async function openEngine(config: Pick<Config, 'indexDir' | 'search'>): Promise<SearchEngine> {
  switch (config.search.backend) {
    case 'local':
      return LocalEngine.fromFolder(config.indexDir);
    case 'postgres':
      // The postgres engine (src/search/postgres/) is opened here once it exists:
      // e.g. return PostgresEngine.initialize(config.search.databaseUrl), connecting and migrating.
      throw new EngineUnavailableError(
        'postgres',
        'this version has no postgres engine yet. Set SEARCH_BACKEND=local (the default).',
      );
  }
}

import { afterAll, beforeAll } from 'vitest';
import { PostgresEngine } from '../../../src/search/postgres/engine.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { searchIndexContract } from '../contract.js';

// The postgres engine on a fresh database of a real PostgreSQL with pgvector (PGlite over its wire protocol).
let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.stop();
});

searchIndexContract('postgres engine', async () => {
  await db.reset();
  return { engine: await PostgresEngine.connect(db.url) };
});

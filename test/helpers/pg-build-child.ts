/**
 * A builder in a process of its own, for the test that kills it with
 * SIGKILL: builds CORPUS into DATABASE_URL with the tiny model and, once
 * every row is written, prints WRITTEN and waits (for the kill) instead of
 * publishing.
 *
 *   node --import tsx test/helpers/pg-build-child.ts DATABASE_URL CORPUS LEASE_SECONDS
 */
import { PostgresEngine } from '../../src/search/postgres/engine.js';
import { CHUNKING, tinyEmbedder } from './fixtures.js';

const [url, corpusDir, lease] = process.argv.slice(2);
const engine = await PostgresEngine.connect(url);
await engine.build({
  corpusDir,
  embedder: await tinyEmbedder(),
  chunking: CHUNKING,
  leaseSeconds: Number(lease),
  beforePublish: async () => {
    process.stdout.write('WRITTEN\n');
    await new Promise(() => undefined);
  },
});

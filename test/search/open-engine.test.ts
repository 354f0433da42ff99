import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../src/search/engine.js';
import { openEngine } from '../../src/search/open-engine.js';
import { DatabaseUnavailableError } from '../../src/search/postgres/errors.js';
import { tempDir } from '../helpers/fixtures.js';

describe('openEngine', () => {
  it('opens the local engine over INDEX_DIR by default, reading nothing until asked', async () => {
    const indexDir = join(tempDir('engine'), 'embeddings');
    const engine = await openEngine({ indexDir, search: { backend: 'local', databaseUrl: undefined } });
    expect(engine).toMatchObject({ backend: 'local', location: indexDir });
    expect(await engine.currentVersion()).toBeUndefined();
    const opening = engine.open();
    await expect(opening).rejects.toThrow(/No index in .*npm run index/);
    expect(engine.needsBuild(await opening.catch((error) => error))).toBe(true);
    expect(engine.needsBuild(new Error('a bug'))).toBe(false);
  });

  it('refuses the postgres engine in one line without DATABASE_URL, or with one that does not answer (its password never shown)', async () => {
    const unset = openEngine({ indexDir: 'embeddings', search: { backend: 'postgres', databaseUrl: undefined } });
    await expect(unset).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(unset).rejects.toThrow(/DATABASE_URL is not set/);
    const down = openEngine({
      indexDir: 'embeddings',
      search: { backend: 'postgres', databaseUrl: 'postgres://qa:secret-pw@127.0.0.1:1/qa' },
    });
    await expect(down).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(down).rejects.toThrow(/Cannot use the database in DATABASE_URL: nothing answers/);
    await expect(down).rejects.not.toThrow(/secret-pw/);
  });
});

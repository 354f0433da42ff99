import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../src/search/engine.js';
import { openEngine } from '../../src/search/open-engine.js';
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

  it('refuses the postgres engine with one clear line while this version has none', async () => {
    const opening = openEngine({
      indexDir: 'embeddings',
      search: { backend: 'postgres', databaseUrl: 'postgres://qa:secret-pw@localhost/qa' },
    });
    await expect(opening).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(opening).rejects.toThrow(/postgres search engine is not available.*SEARCH_BACKEND=local/);
    await expect(opening).rejects.not.toThrow(/secret-pw/);
  });
});

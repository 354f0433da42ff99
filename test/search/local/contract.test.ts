import { join } from 'node:path';
import { LocalEngine } from '../../../src/search/local/engine.js';
import { tempDir } from '../../helpers/fixtures.js';
import { searchIndexContract } from '../contract.js';

// The local engine in a fresh index folder: the same suite runs on every engine.
searchIndexContract('local engine', async () => ({
  engine: LocalEngine.fromFolder(join(tempDir('contract'), 'embeddings')),
}));

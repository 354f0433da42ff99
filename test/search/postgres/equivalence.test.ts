import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareEngines } from '../../../bench/equivalence.js';
import { readDataset } from '../../../src/eval/datasets.js';
import { builtInEmbedder, CHUNKING } from '../../helpers/fixtures.js';
import { CORPUS_DIR, SEED_QA } from '../../helpers/paths.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

let db: TestPostgres;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.stop();
});

describe('the postgres engine answers as the local engine (built-in model, seed questions)', () => {
  it('hit@1 and hit@3 within 0.005, at least 98% of first quotes the same, a handful of round trips a question', async () => {
    const dataset = await readDataset(SEED_QA);
    const result = await compareEngines(dataset, CORPUS_DIR, db.url, await builtInEmbedder(), CHUNKING);
    expect(result.questions).toBe(dataset.questions.length);
    expect(Math.abs(result.postgres.hitAt1 - result.local.hitAt1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(result.postgres.hitAt3 - result.local.hitAt3)).toBeLessThanOrEqual(0.005);
    expect(result.sameFirstQuoteShare, JSON.stringify(result.differences)).toBeGreaterThanOrEqual(0.98);
    // Each index member is one query (a lexical search two while its terms' frequencies are new).
    expect(result.roundTrips.mean).toBeGreaterThan(5);
    expect(result.roundTrips.max).toBeLessThanOrEqual(16);
  }, 180_000); // two builds and every question on both engines
});

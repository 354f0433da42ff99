import { describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embedding/embedder.js';
import { readDataset } from '../../src/eval/datasets.js';
import { evaluate } from '../../src/eval/run.js';
import { firstHitRank } from '../../src/eval/metrics.js';
import { CHUNKING, seedIndex } from '../helpers/fixtures.js';
import { hasStaticModel, ROOT, SEED_QA, STATIC_MODEL, STATIC_MODELS_DIR } from '../helpers/paths.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** With the trained model (CI: ../shared/models): the targets of the answering issue. */
describe.runIf(hasStaticModel && existsSync(SEED_QA))('seed questions with local/arabic-static-256', () => {
  it('finds every Arabic seed question in the first three quotes and refuses every off-topic one', async () => {
    const embedder = await createEmbedder({ model: STATIC_MODEL, modelsDir: STATIC_MODELS_DIR, allowRemoteModels: false, batchSize: 32 });
    const { index, indexDir } = await seedIndex(embedder);
    expect(index.manifest).toMatchObject({ model: STATIC_MODEL, dimension: 256, counts: { articles: 5 } });

    const seed = await readDataset(SEED_QA);
    const offTopic = await readDataset(join(ROOT, 'test/fixtures/off-topic.json'));
    // The static model is Arabic only: English questions need the multilingual default model.
    const arabic = { questions: [...seed.questions, ...offTopic.questions].filter((q) => /[\u0600-\u06FF]/.test(q.question)) };
    const { records } = await evaluate(index, arabic, { embedder, indexDir, chunking: CHUNKING });

    const missed = records.filter((r) => !r.question.noAnswer && !(firstHitRank(r.question, r.answer) >= 1));
    expect(missed.map((r) => r.question.id)).toEqual([]);
    const wronglyFound = records.filter((r) => r.question.noAnswer && r.answer.found);
    expect(wronglyFound.map((r) => r.question.id)).toEqual([]);
  });
});

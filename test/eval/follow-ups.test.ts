import { beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../../src/answering/service.js';
import { BUILT_IN_MODEL } from '../../src/embedding/models.js';
import { evaluateFollowUps, type FollowUpRecord, readFollowUps } from '../../src/eval/follow-ups.js';
import { builtInEmbedder, openService, seedIndex } from '../helpers/fixtures.js';
import { FOLLOW_UPS } from '../helpers/paths.js';

/** Share of the Arabic follow-ups that must be answered right with the carry-over. */
const TARGET_WITH_CARRY_OVER = 0.8;

let service: AnswerService;

beforeAll(async () => {
  const embedder = await builtInEmbedder();
  const { indexDir } = await seedIndex(embedder);
  service = await openService(indexDir, embedder);
});

describe(`follow-up pairs with the built-in model (${BUILT_IN_MODEL})`, () => {
  it('answers more follow-ups right with the previous subject carried over than as typed, and loses none', async () => {
    const pairs = await readFollowUps(FOLLOW_UPS);
    // The built-in model reads Arabic only: English pairs need a multilingual model.
    const arabic = pairs.filter((p) => /[\u0600-\u06FF]/.test(p.followUp));
    expect(arabic.length).toBeGreaterThanOrEqual(12);
    const records = await evaluateFollowUps(service, arabic);
    const count = (test: (r: FollowUpRecord) => boolean) => records.filter(test).length;
    const rightWith = count((r) => r.rightWith);
    const rightWithout = count((r) => r.rightWithout);
    const rewritten = count((r) => r.resolved !== r.pair.followUp);
    console.log(
      `follow-ups (${arabic.length} Arabic pairs, ${rewritten} rewritten): ` +
        `right with carry-over ${rightWith}/${arabic.length}, without ${rightWithout}/${arabic.length}`,
    );
    expect(records.filter((r) => r.rightWithout && !r.rightWith).map((r) => r.pair.id)).toEqual([]);
    expect(rightWith).toBeGreaterThan(rightWithout);
    expect(rightWith / arabic.length).toBeGreaterThanOrEqual(TARGET_WITH_CARRY_OVER);
  });
});

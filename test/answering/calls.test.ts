import { beforeAll, describe, expect, it } from 'vitest';
import { Answerer } from '../../src/answering/answerer.js';
import { answerOptionsFor } from '../../src/answering/options.js';
import type { Embedder } from '../../src/embedding/embedder.js';
import { readDataset } from '../../src/eval/datasets.js';
import type { SearchIndex } from '../../src/search/search-index.js';
import { seedIndex, tinyEmbedder } from '../helpers/fixtures.js';
import { OFF_TOPIC, SEED_QA } from '../helpers/paths.js';

/** The real LocalIndex behind a wrapper that counts the calls made to each member (a database engine's round trips). */
function counting(index: SearchIndex): { index: SearchIndex; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapper = new Proxy(index, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { index: wrapper, calls };
}

/**
 * The most calls one question may cost: each stage asks for all its candidates at once (the two lists of
 * chunks go on to their sentences together: one call for their chunks, one to rank their sentences).
 */
const MAX_CALLS_PER_QUESTION = 13;

describe('one question', () => {
  let embedder: Embedder;
  let index: SearchIndex;

  beforeAll(async () => {
    embedder = await tinyEmbedder();
    ({ index } = await seedIndex(embedder));
  });

  it(`costs at most ${MAX_CALLS_PER_QUESTION} calls to the index, each member at most twice (was about 250–300)`, async () => {
    const questions = [...(await readDataset(SEED_QA)).questions, ...(await readDataset(OFF_TOPIC)).questions];
    const { index: counted, calls } = counting(index);
    const answerer = new Answerer(counted, embedder, answerOptionsFor(index.model));
    const perQuestion: number[] = [];
    for (const { question } of questions) {
      calls.clear();
      const answer = await answerer.ask(question, { count: 3 });
      const total = [...calls.values()].reduce((a, b) => a + b, 0);
      perQuestion.push(total);
      expect(total, question).toBeLessThanOrEqual(MAX_CALLS_PER_QUESTION);
      for (const [member, n] of calls) expect(n, `${question}: ${member}`).toBeLessThanOrEqual(2);
      if (answer.found) expect(calls.get('sentences'), question).toBe(1);
    }
    // Every question was searched (none refused for its language), and the counts are what the stages ask.
    expect(Math.min(...perQuestion)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...perQuestion)).toBeLessThanOrEqual(MAX_CALLS_PER_QUESTION);
  });
});

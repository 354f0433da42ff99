import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from '../../src/answering/fusion.js';

describe('reciprocalRankFusion', () => {
  it('gives an item at rank r of a list with weight w the score w / (k + r + 1)', () => {
    const fused = reciprocalRankFusion([{ weight: 2, ids: [7, 8] }], 10);
    expect(fused.get(7)).toBeCloseTo(2 / 11);
    expect(fused.get(8)).toBeCloseTo(2 / 12);
  });

  it('adds up an item’s scores across lists, so agreement between lists wins', () => {
    const fused = reciprocalRankFusion(
      [
        { weight: 1, ids: [1, 2, 3] },
        { weight: 1, ids: [3, 2, 1] },
        { weight: 1, ids: [2] },
      ],
      10,
    );
    const order = [...fused].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    expect(order[0]).toBe(2);
    expect(fused.get(1)).toBeCloseTo(fused.get(3) ?? 0);
  });

  it('uses ranks only: a list’s weight, not its raw scores, decides its say', () => {
    const light = reciprocalRankFusion(
      [
        { weight: 0.5, ids: [1] },
        { weight: 2, ids: [2] },
      ],
      10,
    );
    expect(light.get(2)).toBeGreaterThan(light.get(1) ?? 0);
  });

  it('returns nothing for empty lists', () => {
    expect(reciprocalRankFusion([{ weight: 1, ids: [] }]).size).toBe(0);
  });
});

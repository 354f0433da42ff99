import { describe, expect, it } from 'vitest';
import { compareFiles, orderTies, tiedIds } from '../../src/search/order.js';

describe('the shared order of equal hits', () => {
  const files = new Map([
    [7, 'b.md'],
    [3, 'c.md'],
    [9, 'a.md'],
    [4, 'a.md'],
    [1, 'z.md'],
  ]);
  const fileOf = (id: number) => files.get(id) ?? '';
  const same = (a: { score: number }, b: { score: number }) => a.score === b.score;

  it('orders each run of equal hits by file, then id, and leaves the rest where they are', () => {
    const hits = [
      { id: 1, score: 9 },
      { id: 7, score: 5 },
      { id: 3, score: 5 },
      { id: 9, score: 5 },
      { id: 4, score: 5 },
      { id: 8, score: 1 },
    ];
    expect(orderTies(hits, same, fileOf).map((h) => h.id)).toEqual([1, 4, 9, 7, 3, 8]);
    // Cut to k after ordering: the run that k cuts is ordered whole first.
    expect(orderTies(hits, same, fileOf, 3).map((h) => h.id)).toEqual([1, 4, 9]);
    expect(tiedIds(hits, same, 2)).toEqual([7, 3, 9, 4]);
    expect(tiedIds(hits, same, 1)).toEqual([]);
    expect(tiedIds([{ id: 2, score: 1 }], same, 5)).toEqual([]);
  });

  it('compares file names by code units, as the builds sort them, not by a locale', () => {
    expect(['b.md', 'B.md', 'a-b.md', 'a.md', 'ا.md'].sort(compareFiles)).toEqual([
      'B.md',
      'a-b.md',
      'a.md',
      'b.md',
      'ا.md',
    ]);
  });
});

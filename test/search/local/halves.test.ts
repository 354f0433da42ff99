import { describe, expect, it } from 'vitest';
import { fromHalf, HalfTable, toHalf } from '../../../src/search/local/halves.js';

/** Every finite half's value. */
const finiteHalves = Array.from({ length: 2 ** 16 }, (_, h) => h).filter((h) => Number.isFinite(fromHalf(h)));

describe('halves', () => {
  it('give back every finite half exactly, and NaN and infinities as such', () => {
    expect(finiteHalves.filter((h) => toHalf(fromHalf(h)) !== h)).toEqual([]);
    expect(fromHalf(toHalf(Number.NaN))).toBeNaN();
    expect(fromHalf(toHalf(1e6))).toBe(Number.POSITIVE_INFINITY);
    expect(fromHalf(toHalf(-1e6))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('round a float between two halves to the nearer, and a tie to the even one, subnormals included', () => {
    const wrong: number[] = [];
    for (const h of finiteHalves.filter((h) => h < 0x7bff)) {
      const [low, high] = [fromHalf(h), fromHalf(h + 1)];
      const middle = (low + high) / 2;
      if (Math.fround(middle) !== middle) continue;
      const even = h % 2 === 0 ? h : h + 1;
      if (toHalf(middle) !== even) wrong.push(h);
      if (toHalf(low + (high - low) * 0.25) !== h || toHalf(low + (high - low) * 0.75) !== h + 1) wrong.push(h);
    }
    expect(wrong).toEqual([]);
    expect(toHalf(2 ** -25)).toBe(0); // halfway between 0 and the smallest subnormal: to the even, 0
    expect(toHalf(2 ** -25 * 1.01)).toBe(1);
    expect(toHalf(-0)).toBe(0x8000);
  });

  it('bound the error of a similarity, on random unit vectors', () => {
    const dimension = 64;
    const unit = () => {
      const v = Float32Array.from({ length: dimension }, () => Math.random() - 0.5);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const rows = Array.from({ length: 500 }, unit);
    const table = new HalfTable(rows.length, dimension);
    for (const row of rows) table.append(row);
    const query = unit();
    let worst = 0;
    for (const [r, row] of rows.entries()) {
      const exact = row.reduce((sum, x, i) => sum + x * query[i], 0);
      const { value, error } = table.similarity(query, r);
      expect(Math.abs(value - exact)).toBeLessThanOrEqual(error);
      expect(error).toBeLessThan(2 ** -11 * 1.01); // unit vectors: the bound is about 2^-11
      worst = Math.max(worst, Math.abs(value - exact));
    }
    expect(worst).toBeGreaterThan(0); // the copies are not exact: the bound is what orders them safely
  });
});

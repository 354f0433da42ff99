import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VectorFile, writeJsonArray } from '../../../src/search/local/store.js';
import { tempDir } from '../../helpers/fixtures.js';

/** A table of `rows` vectors of `dimension`, row r holding r + i / 1000. */
function table(rows: number, dimension: number): string {
  const file = join(tempDir('vectors'), 'table.f32');
  const data = Float32Array.from(
    { length: rows * dimension },
    (_, k) => Math.floor(k / dimension) + (k % dimension) / 1000,
  );
  writeFileSync(file, new Uint8Array(data.buffer));
  return file;
}

describe('VectorFile', () => {
  it('gives back the rows asked for, in the order asked, runs of consecutive rows included', () => {
    const file = new VectorFile(table(50, 4), 4);
    const seen: number[][] = [];
    file.forEachRow([7, 8, 9, 3, 40], (row) => seen.push([...row]));
    expect(seen.map((r) => Math.round(r[0]))).toEqual([7, 8, 9, 3, 40]);
    expect(seen[0][3]).toBeCloseTo(7.003, 5);
    file.close();
  });

  it('reads the whole table into half-precision copies, in pieces (the last one short), each within a half ulp', async () => {
    const file = new VectorFile(table(1000, 8), 8);
    const halves = await file.readHalves(1000); // 32,000 bytes in pieces of 992 (31 whole rows)
    expect(halves?.complete).toBe(true);
    expect(halves?.rows).toBe(1000);
    const probe = Float32Array.from({ length: 8 }, (_, i) => (i === 3 ? 1 : 0));
    for (const r of [0, 30, 31, 500, 999]) {
      const exact: number[] = [];
      file.forEachRow([r], (row) => exact.push(...row));
      const { value, error } = halves?.similarity(probe, r) ?? { value: Number.NaN, error: 0 };
      expect(Math.abs(value - exact[3])).toBeLessThanOrEqual(error);
      expect(Math.abs(value - exact[3])).toBeLessThanOrEqual(exact[3] * 2 ** -11);
    }
    file.close();
  });

  it('stops reading the copies quietly when closed meanwhile', async () => {
    const file = new VectorFile(table(1000, 8), 8);
    const reading = file.readHalves(64);
    file.close();
    await expect(reading).resolves.toBeUndefined();
  });

  it('says which row it could not read when the table is shorter than it was', async () => {
    const path = table(100, 8);
    const file = new VectorFile(path, 8);
    const reading = file.readHalves(320);
    // Truncated to 20 rows while being read, in one call (rewriting the file would empty it for a moment).
    truncateSync(path, 8 * 4 * 20);
    await expect(reading).rejects.toThrow(/100 rows expected, cannot read past row 20/);
    file.close();
  });
});

describe('writeJsonArray', () => {
  it('writes what JSON.stringify writes, slice by slice', async () => {
    const dir = tempDir('json');
    const items = Array.from({ length: 2501 }, (_, i) => ({ id: `a${i}`, text: 'نص "مقتبس"\n', n: [i, i / 3] }));
    for (const [name, list] of [
      ['many.json', items],
      ['one.json', items.slice(0, 1)],
      ['none.json', []],
    ] as const) {
      await writeJsonArray(dir, name, list, { slice: 1000 });
      await writeJsonArray(dir, `16-${name}`, list, { slice: 1000, encoding: 'utf16le' });
      expect(readFileSync(join(dir, `16-${name}`), 'utf16le')).toBe(JSON.stringify(list));
      expect(readFileSync(join(dir, name), 'utf8')).toBe(JSON.stringify(list));
    }
  });
});

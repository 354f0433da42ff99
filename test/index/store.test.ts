import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VectorFile, writeJsonArray } from '../../src/index/store.js';
import { tempDir } from '../helpers/fixtures.js';

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

  it('reads the whole table ahead (prewarm) in pieces, and rows are the same after it', async () => {
    const file = new VectorFile(table(1000, 8), 8);
    const before: number[] = [];
    file.forEachRow([999], (row) => before.push(...row));
    await file.prewarm(1000); // 32,000 bytes in pieces of 1,000: the last one short
    const after: number[] = [];
    file.forEachRow([999], (row) => after.push(...row));
    expect(after).toEqual(before);
    file.close();
  });

  it('stops prewarming quietly when closed meanwhile', async () => {
    const file = new VectorFile(table(1000, 8), 8);
    const warming = file.prewarm(64);
    file.close();
    await expect(warming).resolves.toBeUndefined();
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
      await writeJsonArray(dir, name, list, 1000);
      expect(readFileSync(join(dir, name), 'utf8')).toBe(JSON.stringify(list));
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../src/config.js';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the documentation of settings', () => {
  it('lists every setting in README.md’s table and in .env.example, and none that is not one', () => {
    const names = settingNames();
    const example = read('.env.example');
    // The settings table's rows: a first cell of one or more names, `A` or `A`, `B`.
    const rows = [...read('README.md').matchAll(/^\| (`[A-Z][A-Z0-9_]*`(?:, `[A-Z][A-Z0-9_]*`)*) \|/gm)];
    const documented = rows.flatMap((row) => [...row[1].matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]));
    const missing = names.flatMap((name) => [
      ...(documented.includes(name) ? [] : [`README.md: ${name}`]),
      ...(new RegExp(`^#? ?${name}=`, 'm').test(example) ? [] : [`.env.example: ${name}`]),
    ]);
    expect(missing).toEqual([]);
    // A row naming something that is not a setting (a typo, or a setting gone) is as wrong.
    expect(documented.filter((name) => !names.includes(name))).toEqual([]);
  });
});

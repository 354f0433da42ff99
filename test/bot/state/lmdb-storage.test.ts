import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmdbState } from '../../../src/bot/state/lmdb-storage.js';
import { tempDir } from '../../helpers/fixtures.js';
import { ROOT } from '../../helpers/paths.js';

describe('LmdbState (the embedded store)', () => {
  it('keeps what was written through a kill -9 of the writer', () => {
    const dir = tempDir('lmdb-kill');
    // A child writes 200 entries, awaits them, then kills itself with SIGKILL before closing anything.
    const script = `
      import { LmdbState } from ${JSON.stringify(join(ROOT, 'src/bot/state/lmdb-storage.ts'))};
      const state = LmdbState.open(${JSON.stringify(dir)});
      const store = state.storage('buttons', 60_000);
      for (let i = 0; i < 200; i++) await store.write('k' + i, { i });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    const state = LmdbState.open(dir);
    const store = state.storage<{ i: number }>('buttons', 60_000);
    for (const i of [0, 99, 199]) expect(store.read(`k${i}`)).toEqual({ i });
    void state.close();
  });

  it('is shared by two processes on one folder', () => {
    const dir = tempDir('lmdb-share');
    const script = `
      import { LmdbState } from ${JSON.stringify(join(ROOT, 'src/bot/state/lmdb-storage.ts'))};
      const state = LmdbState.open(${JSON.stringify(dir)});
      await state.storage('buttons', 60_000).write('from-child', { ok: true });
      await state.close();`;
    const state = LmdbState.open(dir);
    const store = state.storage<{ ok: boolean }>('buttons', 60_000);
    expect(spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).status).toBe(0);
    expect(store.read('from-child')).toEqual({ ok: true });
    void state.close();
  });

  it('sweeps expired entries away and keeps live ones', async () => {
    const state = LmdbState.open(tempDir('lmdb-sweep'));
    const short = state.storage<number>('short', 20);
    const long = state.storage<number>('long', 60_000);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => short.write(`s${i}`, i)));
    await long.write('l', 1);
    await new Promise((r) => setTimeout(r, 40));
    expect(await short.sweep()).toBe(1200);
    expect(long.read('l')).toBe(1);
    await state.close();
  });
});

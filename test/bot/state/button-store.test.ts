import { describe, expect, it } from 'vitest';
import { ButtonStore, buttonData, buttonId } from '../../../src/bot/state/button-store.js';
import { LmdbState } from '../../../src/bot/state/lmdb-storage.js';
import { tempDir } from '../../helpers/fixtures.js';

describe('ButtonStore', () => {
  it('stores payloads under short ids that fit Telegram’s 64-byte callback data', async () => {
    const state = LmdbState.open(tempDir('buttons'));
    const store = new ButtonStore(state.storage('buttons', 60_000));
    const ids = await store.put(7, [
      { kind: 'more', question: 'سؤال طويل '.repeat(50), offset: 3 },
      { kind: 'context', articleId: 'a', sentences: ['جملة'] },
    ]);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(Buffer.byteLength(buttonData(id))).toBeLessThanOrEqual(64);
      expect(buttonId(buttonData(id))).toBe(id);
    }
    expect(await store.get(ids[0], 7)).toMatchObject({ kind: 'more', offset: 3 });
    await state.close();
  });

  it('gives a payload only to the chat its button was sent to', async () => {
    const state = LmdbState.open(tempDir('buttons'));
    const store = new ButtonStore(state.storage('buttons', 60_000));
    const [id] = await store.put(7, [{ kind: 'more', question: 'q', offset: 3 }]);
    expect(await store.get(id, 8)).toBeUndefined();
    expect(await store.get(id, 7)).toBeDefined();
    await state.close();
  });

  it('forgets payloads once they expire', async () => {
    const state = LmdbState.open(tempDir('buttons'));
    const store = new ButtonStore(state.storage('buttons', 50));
    const [id] = await store.put(7, [{ kind: 'more', question: 'q', offset: 3 }]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.get(id, 7)).toBeUndefined();
    await state.close();
  });

  it('reads only its own callback data', () => {
    expect(buttonId('b:abc_DEF-12')).toBe('abc_DEF-12');
    for (const data of ['x:abc', 'b:', 'b:../../etc', `b:${'a'.repeat(40)}`]) expect(buttonId(data)).toBeUndefined();
  });
});

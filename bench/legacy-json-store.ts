/**
 * The button store as it was before the embedded store (kept only as the
 * benchmark's baseline): every answer rewrote one JSON file of the newest
 * 5,000 payloads, synchronously.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ButtonPayload } from '../src/bot/state/button-store.js';

export class LegacyJsonButtonStore {
  private readonly entries = new Map<string, ButtonPayload>();

  constructor(
    private readonly file: string,
    private readonly capacity = 5000,
  ) {}

  put(_chatId: number, payloads: ButtonPayload[]): Promise<string[]> {
    const ids = payloads.map((payload) => {
      const id = randomBytes(6).toString('base64url');
      this.entries.set(id, payload);
      return id;
    });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.file);
    return Promise.resolve(ids);
  }
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What an inline button needs to do its job after a restart. */
export type ButtonPayload =
  | { kind: 'more'; question: string; offset: number }
  | { kind: 'context'; articleId: string; sentences: string[] };

/**
 * Keeps button payloads on disk under short ids, since Telegram's callback
 * data holds only 64 bytes. The newest `capacity` entries are kept; an older
 * button finds nothing and is answered as expired.
 */
export class ButtonStore {
  private entries = new Map<string, ButtonPayload>();

  constructor(
    private readonly file: string,
    private readonly capacity = 5000,
  ) {
    try {
      this.entries = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, ButtonPayload>));
    } catch {
      this.entries = new Map(); // no file yet, or unreadable: start empty
    }
  }

  /** Stores payloads (one file write for all) and returns their ids (8 characters each). */
  put(...payloads: ButtonPayload[]): string[] {
    const ids = payloads.map((payload) => {
      const id = randomBytes(6).toString('base64url');
      this.entries.set(id, payload);
      return id;
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.save();
    return ids;
  }

  get(id: string): ButtonPayload | undefined {
    return this.entries.get(id);
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.file);
  }
}

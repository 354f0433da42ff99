import type { StorageAdapter } from 'grammy';
import { type Database, open, type RootDatabase } from 'lmdb';

/** A stored value and the time (ms since the epoch) after which it is gone. */
interface Entry<T> {
  value: T;
  expires: number;
}

/** How many expired entries one sweep step removes before it yields to the event loop. */
const SWEEP_SLICE = 500;

/**
 * The bot's state on one machine, with no setting: an embedded LMDB
 * database (lmdb-js) in DATA_DIR. Reads are synchronous and take
 * microseconds (memory-mapped); writes are batched and committed on a worker
 * thread, so the event loop never waits on the disk, and each write is
 * durable once its promise resolves: a `kill -9` loses at most what was being
 * written. Several processes may share one folder.
 */
export class LmdbState {
  private constructor(private readonly root: RootDatabase) {}

  static open(path: string): LmdbState {
    return new LmdbState(open({ path, compression: false }));
  }

  /** A named store in the database whose entries expire `ttlMs` after they are written. */
  storage<T>(name: string, ttlMs: number): LmdbStorage<T> {
    return new LmdbStorage<T>(this.root.openDB<Entry<T>, string>({ name }), ttlMs);
  }

  /** Throws if the database cannot be read (for /readyz). */
  ping(): void {
    this.root.get('ping');
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/**
 * Waits for a write to be committed. A failed commit (a full disk) rejects
 * with an error that carries a second rejected promise, `commitError`, with
 * the cause: it is handled here, or it would end the process as an
 * unhandled rejection.
 */
async function committed<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const cause = (error as { commitError?: Promise<unknown> }).commitError;
    const reason = cause
      ? await cause.then(
          () => 'unknown',
          (e: Error) => e.message,
        )
      : (error as Error).message;
    throw new Error(`state store write failed: ${reason}`);
  }
}

/** One named store of LmdbState, behind grammY's storage-adapter interface. */
export class LmdbStorage<T> implements StorageAdapter<T> {
  constructor(
    private readonly db: Database<Entry<T>, string>,
    private readonly ttlMs: number,
  ) {}

  read(key: string): T | undefined {
    const entry = this.db.get(key);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    void this.db.remove(key);
    return undefined;
  }

  async write(key: string, value: T): Promise<void> {
    await committed(this.db.put(key, { value, expires: Date.now() + this.ttlMs }));
  }

  async delete(key: string): Promise<void> {
    await committed(this.db.remove(key));
  }

  has(key: string): boolean {
    return this.read(key) !== undefined;
  }

  /** Removes expired entries, a slice at a time so the event loop is never held for long. */
  async sweep(): Promise<number> {
    let removed = 0;
    let expired: string[];
    do {
      const now = Date.now();
      expired = [];
      for (const { key, value } of this.db.getRange({ snapshot: false })) {
        if (value.expires <= now) expired.push(key);
        if (expired.length >= SWEEP_SLICE) break;
      }
      await Promise.all(expired.map((key) => this.db.remove(key)));
      removed += expired.length;
      await new Promise((resolve) => setImmediate(resolve));
    } while (expired.length >= SWEEP_SLICE);
    return removed;
  }
}

import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errnoCode, UserError } from '../../errors.js';
import { BuildLockedError } from '../engine.js';
import { IndexDamagedError } from './verify.js';

/**
 * An index folder holds complete builds side by side and a `CURRENT` file
 * naming the live one:
 *
 *     embeddings/CURRENT             "build-20261121-140000-1234"
 *     embeddings/build-20261121-…/   manifest.json, vectors, HNSW graphs, …
 *                                    (and delta.* files: articles added since the base)
 *
 * A build is written into a fresh folder and published by atomically
 * replacing `CURRENT` (write + rename). Killed at any moment, the folder still
 * names a complete build; a half-written one is never read and is cleared
 * away by the next build.
 */
export const CURRENT_FILE = 'CURRENT';
const LOCK_FILE = 'build.lock';
const BUILD_PREFIX = 'build-';
/** How often a running build touches its lock, and after how long without a touch a lock of another machine is stale. */
const LOCK_HEARTBEAT_MS = 30_000;
const LOCK_STALE_MS = 5 * 60_000;
/** A build folder's name: CURRENT may name nothing else (no path, no "..": never a folder outside INDEX_DIR). */
const BUILD_NAME = /^build-[A-Za-z0-9-]+$/;
/** Files left by a process killed while it made one: a lock's draft, a takeover guard's draft, CURRENT's draft. */
const DRAFT_NAME = /^(build\.lock(\.takeover)?\.\d+\.[a-z0-9]+|CURRENT\.\d+\.tmp)$/;

/** No build was ever published in the folder. */
export class IndexNotFoundError extends UserError {
  override readonly name = 'IndexNotFoundError';

  constructor(readonly indexDir: string) {
    super(`No index in ${indexDir}. Build it first with: npm run index`);
  }
}

/** Another build is writing the folder. */
export class IndexLockedError extends BuildLockedError {
  override readonly name = 'IndexLockedError';

  constructor(
    readonly indexDir: string,
    /** "pid@host" of the build that holds the lock. */
    holder: string,
  ) {
    super(holder, `Another build (process ${holder}) is writing ${indexDir}; wait for it to finish.`);
  }
}

/**
 * The folder of the live build, or null when nothing was ever published.
 *
 * @throws IndexDamagedError when CURRENT names anything but a build folder of `indexDir`.
 */
export async function currentBuildDir(indexDir: string): Promise<string | null> {
  let name: string;
  try {
    name = (await readFile(join(indexDir, CURRENT_FILE), 'utf8')).trim();
  } catch {
    return null;
  }
  if (!name) return null;
  if (!BUILD_NAME.test(name))
    throw new IndexDamagedError(
      indexDir,
      CURRENT_FILE,
      `names ${JSON.stringify(name.slice(0, 200))}, which is not a build folder inside ${indexDir}: refused`,
    );
  return join(indexDir, name);
}

/** @throws IndexNotFoundError when nothing was published yet. */
export async function requireCurrentBuildDir(indexDir: string): Promise<string> {
  const dir = await currentBuildDir(indexDir);
  if (!dir || !existsSync(dir)) throw new IndexNotFoundError(indexDir);
  return dir;
}

/** The build folders in `indexDir`, newest first (names sort by time). */
export async function listBuilds(indexDir: string): Promise<string[]> {
  const names = await readdir(indexDir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(BUILD_PREFIX))
    .sort()
    .reverse()
    .map((n) => join(indexDir, n));
}

/** Creates an empty folder for a new build. */
export async function createBuildDir(indexDir: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const dir = join(indexDir, `${BUILD_PREFIX}${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Makes `buildDir` the live build, then removes older builds. The previous
 * one is kept so that a reader that has just resolved `CURRENT` can finish,
 * and so that there is an intact build to fall back on.
 */
export async function publishBuild(indexDir: string, buildDir: string): Promise<void> {
  const previous = await currentBuildDir(indexDir).catch(() => null); // a refused CURRENT is replaced
  const name = buildDir.slice(indexDir.length).replace(/^[\\/]+/, '');
  const pointer = join(indexDir, `${CURRENT_FILE}.${process.pid}.tmp`);
  await writeFile(pointer, `${name}\n`);
  await rename(pointer, join(indexDir, CURRENT_FILE));
  const keep = new Set([buildDir, previous].filter(Boolean).map((d) => (d as string).replace(/[\\/]+$/, '')));
  for (const path of await listBuilds(indexDir)) {
    if (!keep.has(path)) await rm(path, { recursive: true, force: true });
  }
}

/** Removes a build folder that was not published (a failed build). */
export async function discardBuild(buildDir: string): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
}

/** This process, as a lock names it. */
const SELF = `${process.pid}@${hostname()}`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** Whether the build named in a lock can no longer be running. */
async function isStale(file: string, holder: string): Promise<boolean> {
  const [pid, host] = holder.split('@');
  if (host === hostname()) return !isAlive(Number(pid));
  // Another machine's build (a shared volume): stale when it stopped touching its lock.
  const touched = await stat(file).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  return Date.now() - touched > LOCK_STALE_MS;
}

/** Creates `file` holding `content`, atomically: it appears whole, or not at all (EEXIST). */
async function createExclusive(file: string, content: string): Promise<void> {
  const draft = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(draft, content);
  try {
    await link(draft, file);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * Removes a stale lock, once: under a second lock, so that two processes
 * that both found it stale do not remove each other's new lock.
 */
async function clearStaleLock(file: string, stale: string): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await createExclusive(guard, SELF);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    // A taker that died mid-takeover leaves its guard: clear it after a while.
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_HEARTBEAT_MS) await rm(guard, { force: true });
    return;
  }
  try {
    const holder = await readFile(file, 'utf8').catch(() => '');
    if (holder === stale) await rm(file, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Removes drafts left by killed processes (kill -9 between writing a draft
 * and removing it). A draft lives for milliseconds; one older than a lock's
 * heartbeat belongs to no process that is still making it.
 */
async function clearDrafts(indexDir: string): Promise<void> {
  for (const name of await readdir(indexDir).catch(() => [] as string[])) {
    if (!DRAFT_NAME.test(name)) continue;
    const file = join(indexDir, name);
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_HEARTBEAT_MS) await rm(file, { force: true });
  }
}

/**
 * Takes the folder's build lock so that two builds never interleave. The
 * lock file appears with its holder already written in it (written aside,
 * then hard-linked into place), so no one ever reads a half-made lock. A lock
 * whose build no longer runs (kill -9) is taken over.
 *
 * @returns the function that releases the lock.
 * @throws IndexLockedError when another build holds it.
 */
export async function lockIndexDir(indexDir: string): Promise<() => Promise<void>> {
  const file = join(indexDir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await createExclusive(file, SELF);
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(file, now, now).catch(() => undefined);
      }, LOCK_HEARTBEAT_MS);
      heartbeat.unref();
      await clearDrafts(indexDir);
      return async () => {
        clearInterval(heartbeat);
        if ((await readFile(file, 'utf8').catch(() => '')) === SELF) await rm(file, { force: true });
      };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      const holder = await readFile(file, 'utf8').catch(() => '');
      if (!holder) continue; // released meanwhile
      if (holder === SELF) throw new IndexLockedError(indexDir, holder); // this process is already building
      if (!(await isStale(file, holder))) throw new IndexLockedError(indexDir, holder);
      await clearStaleLock(file, holder);
    }
  }
  throw new IndexLockedError(indexDir, await readFile(file, 'utf8').catch(() => 'unknown'));
}

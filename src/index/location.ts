import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * An index folder holds complete builds side by side and a `CURRENT` file
 * naming the live one:
 *
 *     embeddings/CURRENT             "build-20261121-140000-1234"
 *     embeddings/build-20261121-…/   manifest.json, vectors, HNSW graphs, …
 *
 * A build is written into a fresh folder and published by atomically
 * replacing `CURRENT` (write + rename). Killed at any moment, the folder still
 * names a complete build; a half-written one is never read and is cleared
 * away by the next build.
 */
export const CURRENT_FILE = 'CURRENT';
const LOCK_FILE = 'build.lock';
const BUILD_PREFIX = 'build-';

export class IndexNotFoundError extends Error {}
export class IndexLockedError extends Error {}

/** The folder of the live build, or null when nothing was ever published. */
export async function currentBuildDir(indexDir: string): Promise<string | null> {
  try {
    const name = (await readFile(join(indexDir, CURRENT_FILE), 'utf8')).trim();
    return name ? join(indexDir, name) : null;
  } catch {
    return null;
  }
}

export async function requireCurrentBuildDir(indexDir: string): Promise<string> {
  const dir = await currentBuildDir(indexDir);
  if (!dir || !existsSync(dir)) {
    throw new IndexNotFoundError(`No index in ${indexDir}. Build it first with: npm run index`);
  }
  return dir;
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
 * one is kept so that a reader that has just resolved `CURRENT` can finish.
 */
export async function publishBuild(indexDir: string, buildDir: string): Promise<void> {
  const previous = await currentBuildDir(indexDir);
  const name = buildDir.slice(indexDir.length).replace(/^[\\/]+/, '');
  const pointer = join(indexDir, `${CURRENT_FILE}.${process.pid}.tmp`);
  await writeFile(pointer, `${name}\n`);
  await rename(pointer, join(indexDir, CURRENT_FILE));
  const keep = new Set([buildDir, previous].filter(Boolean).map((d) => d!.replace(/[\\/]+$/, '')));
  for (const entry of await readdir(indexDir)) {
    const path = join(indexDir, entry);
    if (entry.startsWith(BUILD_PREFIX) && !keep.has(path)) await rm(path, { recursive: true, force: true });
  }
}

/** Removes a build folder that was not published (a failed build). */
export async function discardBuild(buildDir: string): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's build lock so that two builds never interleave. A lock
 * left by a process that no longer runs (kill -9) is taken over.
 */
export async function lockIndexDir(indexDir: string): Promise<() => Promise<void>> {
  const file = join(indexDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new IndexLockedError(`Another build (process ${holder}) is writing ${indexDir}.`);
      }
      await rm(file, { force: true });
    }
  }
  throw new IndexLockedError(`Could not lock ${indexDir}.`);
}

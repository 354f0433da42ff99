import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { makeTinyModel } from '../scripts/make-tiny-model.js';
import { CORPUS_DIR, TEST_TMP, TINY_MODELS_DIR } from './helpers/paths.js';
import { findRedisServer, REDIS_BINARY_ENV, REDIS_MISSING_ENV } from './helpers/redis-binary.js';

/** File systems a run that was killed left mounted under test/.tmp (the full-disk test's tmpfs). */
function leftoverMounts(): string[] {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1])
      .filter((mountPoint) => mountPoint?.startsWith(TEST_TMP));
  } catch {
    return [];
  }
}

/**
 * Finds (or fetches, once) the redis-server the Redis tests start, for every
 * worker; when none can be had, those tests fail with the reason, the others run.
 */
function provideRedisServer(): void {
  try {
    process.env[REDIS_BINARY_ENV] = JSON.stringify(findRedisServer());
  } catch (error) {
    console.error((error as Error).message);
    process.env[REDIS_MISSING_ENV] = (error as Error).message;
  }
}

/** Clears test/.tmp, generates the tiny test model once for the whole run (a fresh clone has no model), finds redis-server. */
export default function setup(): void {
  for (const mountPoint of leftoverMounts()) execFileSync('umount', ['-l', mountPoint]);
  rmSync(TEST_TMP, { recursive: true, force: true });
  makeTinyModel(TINY_MODELS_DIR, CORPUS_DIR);
  provideRedisServer();
}

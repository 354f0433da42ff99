import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { makeTinyModel } from '../scripts/make-tiny-model.js';
import { CORPUS_DIR, TEST_TMP, TINY_MODELS_DIR } from './helpers/paths.js';

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

/** Clears test/.tmp and generates the tiny test model once for the whole run (a fresh clone has no model). */
export default function setup(): void {
  for (const mountPoint of leftoverMounts()) execFileSync('umount', ['-l', mountPoint]);
  rmSync(TEST_TMP, { recursive: true, force: true });
  makeTinyModel(TINY_MODELS_DIR, CORPUS_DIR);
}

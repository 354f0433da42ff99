import { rmSync } from 'node:fs';
import { makeTinyModel } from '../scripts/make-tiny-model.js';
import { CORPUS_DIR, TEST_TMP, TINY_MODELS_DIR } from './helpers/paths.js';

/** Generates the tiny test model once for the whole run (a fresh clone has no model). */
export default function setup(): void {
  rmSync(TEST_TMP, { recursive: true, force: true });
  makeTinyModel(TINY_MODELS_DIR, CORPUS_DIR);
}

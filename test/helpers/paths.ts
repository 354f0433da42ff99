import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = join(ROOT, 'corpus');
export const TEST_TMP = join(ROOT, 'test/.tmp');
export const TINY_MODELS_DIR = join(TEST_TMP, 'models');
export const TINY_MODEL = 'local/tiny-arabic';
export const SEED_QA = resolve(ROOT, '../shared/eval/seed-qa.json');

/** The trained static model, where MODELS_DIR (CI: ../shared/models) holds it. */
export const STATIC_MODEL = 'local/arabic-static-256';
export const STATIC_MODELS_DIR = process.env.MODELS_DIR ? resolve(process.env.MODELS_DIR) : join(ROOT, 'models');
export const hasStaticModel = existsSync(join(STATIC_MODELS_DIR, STATIC_MODEL, 'config.json'));

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = join(ROOT, 'corpus');
export const TEST_TMP = join(ROOT, 'test/.tmp');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const TINY_MODELS_DIR = join(TEST_TMP, 'models');
export const TINY_MODEL = 'local/tiny-arabic';
/** Questions about the five seed articles, with the answers that count (a copy of ../shared/eval/seed-qa.json). */
export const SEED_QA = join(FIXTURES, 'seed-qa.json');
/** Questions no article answers: each must be refused. */
export const OFF_TOPIC = join(FIXTURES, 'off-topic.json');
/** ARCD train (MIT licence, see ARCD-LICENSE): 693 questions over 77 Wikipedia articles. */
export const ARCD = join(FIXTURES, 'arcd-train.json');
/** Follow-up questions about the seed articles, each asked after the question it leans on. */
export const FOLLOW_UPS = join(FIXTURES, 'follow-ups.json');

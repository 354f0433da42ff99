import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { CORPUS_DIR, TINY_MODEL, TINY_MODELS_DIR } from '../helpers/paths.js';

let indexDir: string;

beforeAll(async () => {
  indexDir = join(tempDir('ask'), 'embeddings');
  const built = await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', indexDir], tinyModelEnv());
  expect(built.code).toBe(0);
});

describe('npm run ask', () => {
  it('prints quotes with their sources for a person to read', async () => {
    const result = await runCli(
      'ask',
      ['--index', indexDir, 'من', 'هو', 'وزير', 'الخارجية', 'الصيني', 'الذي', 'التقى', 'لافروف؟'],
      tinyModelEnv(),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1\. «.*وانج يي/m);
    expect(result.stdout).toContain(
      '— وزير الخارجية الصيني يدعو إلى مواصلة الارتقاء بالعلاقات الصينية الروسية — دار الهلال · 2021-07-16',
    );
  });

  it('prints {question, found, answers} with --json and honours -k', async () => {
    const result = await runCli(
      'ask',
      ['--index', indexDir, '--json', '-k', '2', 'ماذا قال بيسكوف عن أفغانستان؟'],
      tinyModelEnv(),
    );
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ question: 'ماذا قال بيسكوف عن أفغانستان؟', found: true });
    expect(answer.answers).toHaveLength(2);
    for (const a of answer.answers) {
      expect(Object.keys(a)).toEqual(expect.arrayContaining(['text', 'articleId', 'title', 'outlet', 'date', 'score']));
    }
  });

  it('answers a batch file line by line, in order, loading the model once', async () => {
    const file = join(tempDir('batch'), 'questions.txt');
    writeFileSync(file, 'كم بلغت التجارة الثنائية؟\n\nما هي عاصمة البرازيل؟\nمن هو رئيس مجلس الدولة الصيني؟\n');
    const result = await runCli('ask', ['--index', indexDir, '--json', '--batch', file], tinyModelEnv());
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.question)).toEqual([
      'كم بلغت التجارة الثنائية؟',
      'ما هي عاصمة البرازيل؟',
      'من هو رئيس مجلس الدولة الصيني؟',
    ]);
    expect(lines.map((l) => l.found)).toEqual([true, false, true]);
  });

  it('says how to build the index when there is none', async () => {
    const result = await runCli('ask', ['--index', join(tempDir('none'), 'embeddings'), 'سؤال'], tinyModelEnv());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/No index in .* Build it first with: npm run index/);
  });

  it('refuses an index built with another model than the configured one', async () => {
    // The same tiny model under another id: it loads, but its vectors are not the index's.
    const models = tempDir('models');
    cpSync(join(TINY_MODELS_DIR, TINY_MODEL), join(models, 'local/other-model'), { recursive: true });
    const result = await runCli(
      'ask',
      ['--index', indexDir, 'سؤال'],
      tinyModelEnv({ EMBEDDING_MODEL: 'local/other-model', MODELS_DIR: models }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/was built with "local\/tiny-arabic", but EMBEDDING_MODEL is "local\/other-model"/);
  });

  it('says in one line why a --batch file cannot be read: missing, a folder, binary, not UTF-8', async () => {
    const dir = tempDir('batch-bad');
    writeFileSync(join(dir, 'binary.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0d, 0x0a]));
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const cases: [string, string][] = [
      [join(dir, 'missing.txt'), 'no such file'],
      [dir, 'it is a folder, not a file'],
      [join(dir, 'binary.txt'), 'binary file (contains NUL bytes)'],
      [join(dir, 'latin1.txt'), 'not valid UTF-8 text'],
    ];
    for (const [file, reason] of cases) {
      const result = await runCli('ask', ['--index', indexDir, '--json', '--batch', file], tinyModelEnv());
      expect(result.code, file).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe(`Error: Cannot read the question list ${file}: ${reason}.`);
    }
  });

  it('refuses an empty question', async () => {
    const result = await runCli('ask', ['--index', indexDir, '   '], tinyModelEnv());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Ask a question/);
  });
});

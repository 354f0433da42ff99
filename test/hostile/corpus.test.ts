/**
 * Hostile input, the corpus: article files that try to run code, reach
 * outside the corpus folder, or exhaust the indexer. Every probe of
 * SECURITY.md's "corpus" rows, again on every run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { runCli } from '../helpers/cli.js';
import { copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';

const BODY = 'بكين 25 أغسطس 2021 (شينخوا) نص الخبر الأول. والجملة الثانية.\n';

/** A file a payload would create if front matter were run as code. */
function canary(): string {
  return join(tmpdir(), `front-matter-ran-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

describe('front matter that would be code', () => {
  for (const language of ['js', 'javascript', 'coffee', 'json', 'toml']) {
    it(`"---${language}" is refused with a warning naming the file, and nothing runs`, async () => {
      const dir = copyCorpus();
      const ran = canary();
      const payload = `require('fs').writeFileSync(${JSON.stringify(ran)}, 'ran'); module.exports = { title: 'x' }`;
      writeFileSync(join(dir, 'evil.md'), `---${language}\n${payload}\n---\n${BODY}`);
      const { articles, skipped } = await loadCorpus(dir);
      expect(existsSync(ran)).toBe(false);
      expect(articles.map((a) => a.id)).not.toContain('evil');
      expect(skipped).toEqual([
        { file: 'evil.md', reason: `front matter in "${language}" is refused: only YAML is read` },
      ]);
    });
  }

  it('YAML tags and alias bombs are refused; plain YAML still works', async () => {
    const dir = tempDir('yaml');
    writeFileSync(join(dir, 'fn.md'), `---\ntitle: !!js/function "function () { return 1 }"\n---\n${BODY}`);
    writeFileSync(join(dir, 'bin.md'), `---\ntitle: !!binary aGVsbG8=\n---\n${BODY}`);
    writeFileSync(join(dir, 'local.md'), `---\ntitle: !custom x\n---\n${BODY}`);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${'bcdefghij'[i - 1]}: &${'bcdefghij'[i - 1]} [${Array(9)
          .fill(`*${'abcdefghij'[i - 1]}`)
          .join(',')}]`,
      );
    writeFileSync(join(dir, 'bomb.md'), `---\n${bomb.join('\n')}\ntitle: x\n---\n${BODY}`);
    writeFileSync(join(dir, 'ok.md'), `---\ntitle: "عنوان: مع نقطتين"\ndate: 2021-08-25\n---\n${BODY}`);
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => [a.id, a.title, a.date])).toEqual([['ok', 'عنوان: مع نقطتين', '2021-08-25']]);
    expect(skipped.map((s) => s.file)).toEqual(['bin.md', 'bomb.md', 'fn.md', 'local.md']);
    for (const s of skipped) expect(s.reason).toMatch(/front matter/);
  });
});

describe('files that reach outside the corpus', () => {
  it('skips a symbolic link to a file outside the folder, and a broken one; follows one inside', async () => {
    const dir = copyCorpus();
    const outside = join(tempDir('outside'), 'secret.txt');
    writeFileSync(outside, 'كلمة السر هي سمسم. وهذه جملة سرية.\n');
    symlinkSync(outside, join(dir, 'leak.txt'));
    symlinkSync('/etc/hostname', join(dir, 'host.txt'));
    symlinkSync(join(dir, 'nowhere.txt'), join(dir, 'broken.txt'));
    symlinkSync(join(dir, '000_a15eb1be77281f63.txt'), join(dir, 'alias.txt'));
    const { articles, skipped } = await loadCorpus(dir);
    expect(skipped).toEqual([
      { file: 'broken.txt', reason: 'broken symbolic link' },
      { file: 'host.txt', reason: 'symbolic link to a file outside the corpus folder' },
      { file: 'leak.txt', reason: 'symbolic link to a file outside the corpus folder' },
    ]);
    expect(articles.map((a) => a.id)).toContain('alias');
    expect(articles.flatMap((a) => a.sentences.map((s) => s.text)).join(' ')).not.toContain('سمسم');
  });

  it('skips a folder or a named pipe with an article name, without hanging', async () => {
    const dir = copyCorpus();
    mkdirSync(join(dir, 'folder.md'));
    execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles).toHaveLength(5);
    expect(skipped).toEqual([
      { file: 'folder.md', reason: 'not a regular file' },
      { file: 'pipe.txt', reason: 'not a regular file' },
    ]);
  });
});

describe('files that exhaust the indexer', () => {
  it('skips an article over the size cap with a warning naming it and its size', async () => {
    const dir = copyCorpus();
    writeFileSync(join(dir, 'huge.txt'), 'كلمة '.repeat(60_000));
    const { articles, skipped } = await loadCorpus(dir, { maxBytes: 100_000 });
    expect(articles).toHaveLength(5);
    expect(skipped).toEqual([{ file: 'huge.txt', reason: 'larger than MAX_ARTICLE_BYTES (0.51 MiB > 0.10 MiB)' }]);
  });

  it('`npm run index` warns about each skipped file by name and indexes the rest (MAX_ARTICLE_BYTES)', async () => {
    const dir = copyCorpus();
    writeFileSync(join(dir, 'huge.txt'), 'كلمة '.repeat(60_000));
    writeFileSync(join(dir, 'evil.md'), `---js\nprocess.exit(3)\n---\n${BODY}`);
    symlinkSync('/etc/hostname', join(dir, 'host.txt'));
    const out = join(tempDir('hostile-index'), 'embeddings');
    const result = await runCli(
      'index-corpus',
      ['--corpus', dir, '--out', out, '--json'],
      tinyModelEnv({ MAX_ARTICLE_BYTES: '100000' }),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Warning: skipped evil.md: front matter in "js" is refused');
    expect(result.stderr).toContain('Warning: skipped host.txt: symbolic link to a file outside the corpus folder');
    expect(result.stderr).toContain('Warning: skipped huge.txt: larger than MAX_ARTICLE_BYTES');
    expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ articles: 5 });
  });
});

/**
 * A `.md` and a `.txt` with one article id: before, which one was indexed
 * depended on name order and on whether the first one read. The rule now:
 * the `.md` is the article (it may carry front matter), always; the other is
 * named in a warning.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { runCli } from '../helpers/cli.js';
import { copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';

/** These tests start the program as processes: time for a busy two-core machine. */
const PROCESS_TIMEOUT_MS = 180_000;

const MD =
  '---\ntitle: خبر من ملف md\nsource: وكالة\ndate: 2022-03-02\n---\nقال الكرملين إن المحادثات مستمرة في إسطنبول.\n';
const TXT = 'موسكو 2 مارس 2022 (تاس) قال المتحدث إن الوفد سيعود غدا إلى موسكو.\n';

function corpusWith(files: Record<string, string | Buffer>): string {
  const dir = copyCorpus();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('a .md and a .txt with one id', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('the .md is indexed and the .txt named in a warning, whichever sorts first', async () => {
    for (const [md, txt] of [
      ['zz-news.md', 'zz-news.txt'],
      ['zz-b.md', 'zz-b.TXT'], // "zz-b.TXT" sorts before "zz-b.md"
    ]) {
      const { articles, skipped } = await loadCorpus(corpusWith({ [md]: MD, [txt]: TXT }));
      const id = md.slice(0, md.lastIndexOf('.'));
      expect(articles.find((a) => a.id === id)?.title).toBe('خبر من ملف md');
      expect(skipped).toEqual([
        {
          file: txt,
          reason: `same article id "${id}" as ${md}: the .md file is the article (rename one to keep both)`,
        },
      ]);
    }
  });

  it('an unreadable .md does not hand its id to the .txt (no silent flip): both are named', async () => {
    const dir = corpusWith({ 'zz-news.md': Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'zz-news.txt': TXT });
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => a.id)).not.toContain('zz-news');
    expect(skipped.map((s) => s.file)).toEqual(['zz-news.md', 'zz-news.txt']);
  });

  it('`npm run index` warns naming both files; removing the .md lets the .txt be indexed', async () => {
    const dir = corpusWith({ 'zz-news.md': MD, 'zz-news.txt': TXT });
    const out = join(tempDir('ids'), 'embeddings');
    const first = await runCli('index-corpus', ['--corpus', dir, '--out', out], tinyModelEnv());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Warning: skipped zz-news.txt: same article id "zz-news" as zz-news.md');
    expect(first.stdout).toContain('Indexed 6 articles');
    rmSync(join(dir, 'zz-news.md'));
    const second = await runCli('index-corpus', ['--corpus', dir, '--out', out], tinyModelEnv());
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('same article id');
    expect(second.stdout).toContain('Indexed 6 articles');
  });
});

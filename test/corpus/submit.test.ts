import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCorpus } from '../../src/corpus/load.js';
import {
  ArticleExistsError,
  ArticleNotFoundError,
  ArticleRejectedError,
  checkSubmission,
  LastArticleError,
  removeArticle,
  saveArticle,
  slugify,
} from '../../src/corpus/submit.js';
import { copyCorpus, tempDir } from '../helpers/fixtures.js';

const MAX = 64 * 1024;
const ARTICLE = 'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مع الوفد الأوكراني في إسطنبول مستمرة.\n';
const MARKDOWN = `---
title: الكرملين والمحادثات
source: تاس
date: 2022-03-02
url: https://example.org/kremlin
---
قال الكرملين إن المحادثات مع الوفد الأوكراني مستمرة.
`;

function reason(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ArticleRejectedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('checkSubmission', () => {
  it('reads a plain article as the indexer will: title, outlet and date from its dateline', () => {
    const checked = checkSubmission(
      { bytes: Buffer.from(ARTICLE), fileName: 'Kremlin talks (Istanbul).txt' },
      { maxBytes: MAX },
    );
    expect(checked.id).toBe('kremlin-talks-istanbul');
    expect(checked.file).toBe('kremlin-talks-istanbul.txt');
    expect(checked.article).toMatchObject({ id: checked.id, outlet: 'تاس', date: '2022-03-02' });
  });

  it('reads front matter in a .md file, and takes text that opens with front matter as .md', () => {
    const checked = checkSubmission({ bytes: Buffer.from(MARKDOWN) }, { maxBytes: MAX });
    expect(checked.file.endsWith('.md')).toBe(true);
    expect(checked.article).toMatchObject({
      title: 'الكرملين والمحادثات',
      outlet: 'تاس',
      date: '2022-03-02',
      url: 'https://example.org/kremlin',
    });
    // Text gets its id from the date and its bytes: the same text twice has the same id.
    expect(checked.id).toMatch(/^2022-03-02-[0-9a-f]{8}$/);
    expect(checkSubmission({ bytes: Buffer.from(MARKDOWN) }, { maxBytes: MAX }).id).toBe(checked.id);
  });

  it('refuses other file types, too large, not UTF-8, empty, bad front matter and no text', () => {
    const check = (bytes: Buffer | string, fileName?: string) => () =>
      checkSubmission({ bytes: Buffer.from(bytes), fileName }, { maxBytes: MAX });
    expect(reason(check(ARTICLE, 'article.pdf'))).toBe('type');
    expect(reason(check(ARTICLE, '.txt'))).toBe('type'); // a dot-file, with no extension
    expect(reason(check('ا'.repeat(MAX), 'big.txt'))).toBe('too-large');
    expect(reason(check(Buffer.from([0xd8, 0x41, 0xff, 0xfe]), 'latin1.txt'))).toBe('not-utf8');
    expect(reason(check(Buffer.from([0x61, 0x00, 0x62]), 'binary.txt'))).toBe('not-utf8');
    expect(reason(check(' \n\t\n', 'blank.txt'))).toBe('empty');
    expect(reason(check('---js\nmodule.exports = {}\n---\nنص المقال.\n', 'code.md'))).toBe('front-matter');
    expect(reason(check('---\ntitle: [unclosed\n---\nنص المقال.\n', 'broken.md'))).toBe('front-matter');
    expect(reason(check('---\ntitle: عنوان فقط\n---\n', 'no-body.md'))).toBe('no-text');
  });

  it('makes ids that are never paths or dot-files', () => {
    for (const name of ['../../etc/passwd.txt', '..\\..\\evil.md', '.hidden.txt', 'a/b/c.txt', '   .md']) {
      const { id, file } = checkSubmission({ bytes: Buffer.from(ARTICLE), fileName: name }, { maxBytes: MAX });
      expect(id).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u);
      expect(file).not.toMatch(/[\\/]|^\./);
    }
    expect(slugify('مقالة: الصين وروسيا (2021)')).toBe('مقالة-الصين-وروسيا-2021');
    expect(slugify('تَحْلِيــل')).toBe('تحليل');
  });
});

describe('saveArticle and removeArticle', () => {
  it('writes the article under its id, leaves no temporary file, and never replaces an article', async () => {
    const corpus = copyCorpus();
    const checked = checkSubmission({ bytes: Buffer.from(ARTICLE), fileName: 'kremlin.txt' }, { maxBytes: MAX });
    await saveArticle(corpus, checked);
    expect(readFileSync(join(corpus, 'kremlin.txt'), 'utf8')).toBe(ARTICLE);
    expect(readdirSync(corpus).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await listCorpus(corpus)).files).toContain('kremlin.txt');

    // Same id, other content or other extension: refused, the first one intact.
    const other = checkSubmission({ bytes: Buffer.from(MARKDOWN), fileName: 'kremlin.md' }, { maxBytes: MAX });
    await expect(saveArticle(corpus, other)).rejects.toBeInstanceOf(ArticleExistsError);
    expect(readFileSync(join(corpus, 'kremlin.txt'), 'utf8')).toBe(ARTICLE);
    expect(readdirSync(corpus)).not.toContain('kremlin.md');
  });

  it('removes an article by its id only: no paths, no unknown ids, never the last article', async () => {
    const corpus = copyCorpus();
    const before = readdirSync(corpus).sort();
    for (const id of ['../corpus/000_a15eb1be77281f63', '000_a15eb1be77281f63.txt', '/etc/passwd', 'missing', '']) {
      await expect(removeArticle(corpus, id), id).rejects.toBeInstanceOf(ArticleNotFoundError);
    }
    expect(readdirSync(corpus).sort()).toEqual(before);
    await removeArticle(corpus, '000_a15eb1be77281f63');
    expect(readdirSync(corpus)).not.toContain('000_a15eb1be77281f63.txt');

    const lonely = tempDir('lonely');
    writeFileSync(join(lonely, 'only.txt'), ARTICLE);
    await expect(removeArticle(lonely, 'only')).rejects.toBeInstanceOf(LastArticleError);
    expect(readdirSync(lonely)).toEqual(['only.txt']);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError, loadCorpus } from '../../src/corpus/load.js';
import { copyCorpus, tempDir } from '../helpers/fixtures.js';
import { MODERN, modernPage, OLD, oldPageBytes } from '../helpers/news-site.js';

describe('loadCorpus', () => {
  it('loads the five seed articles with their file names as ids', async () => {
    const { articles, skipped } = await loadCorpus(copyCorpus());
    expect(articles.map((a) => a.id)).toEqual([
      '000_a15eb1be77281f63',
      '001_affb6d0cda8cf843',
      '002_26a9db706ec05ddb',
      '003_70567a16c9b3e8e4',
      '004_84ffc645cff79ea0',
    ]);
    expect(skipped).toEqual([]);
    expect(articles.every((a) => /^[0-9a-f]{64}$/.test(a.hash))).toBe(true);
  });

  it('skips a file that is not UTF-8 text, naming it, and loads the rest', async () => {
    const dir = copyCorpus();
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xe0]));
    writeFileSync(join(dir, 'image.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
    writeFileSync(join(dir, 'empty.txt'), '');
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles).toHaveLength(5);
    expect(skipped).toEqual([
      { file: 'empty.txt', reason: 'no article text' },
      { file: 'image.txt', reason: 'binary file (contains NUL bytes)' },
      { file: 'latin1.txt', reason: 'not valid UTF-8 text' },
    ]);
  });

  it('skips a second file with the same article id', async () => {
    const dir = copyCorpus();
    writeFileSync(join(dir, '000_a15eb1be77281f63.md'), 'نسخة أخرى من الخبر.');
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles).toHaveLength(5);
    expect(skipped).toEqual([
      {
        file: '000_a15eb1be77281f63.txt',
        reason:
          'same article id "000_a15eb1be77281f63" as 000_a15eb1be77281f63.md: the .md file is the article (rename one to keep both)',
      },
    ]);
  });

  it('does not parse files whose content hash is already known', async () => {
    const dir = copyCorpus();
    const first = await loadCorpus(dir);
    const known = new Map(first.articles.map((a) => [a.id, a.hash]));
    writeFileSync(join(dir, '004_84ffc645cff79ea0.txt'), 'خبر معدل. وجملة ثانية.');
    const second = await loadCorpus(dir, { known });
    expect([...second.unchanged].sort()).toEqual(first.articles.slice(0, 4).map((a) => a.id));
    expect(second.articles.map((a) => a.id)).toEqual(['004_84ffc645cff79ea0']);
  });

  it('lets Markdown front matter override the derived metadata', async () => {
    const dir = tempDir('md');
    writeFileSync(
      join(dir, 'story.md'),
      '---\ntitle: عنوان من الواجهة\nsource: الأهرام\ndate: 2023-03-01\nurl: https://example.org/a\n---\nبكين 25 أغسطس 2021 (شينخوا) نص الخبر الأول. والجملة الثانية.\n',
    );
    const [article] = (await loadCorpus(dir)).articles;
    expect(article).toMatchObject({
      id: 'story',
      title: 'عنوان من الواجهة',
      outlet: 'الأهرام',
      date: '2023-03-01',
      url: 'https://example.org/a',
    });
    expect(article.text.slice(article.sentences[0].start, article.sentences[0].end)).toBe(article.sentences[0].text);
  });

  it('reads a Markdown file without front matter like a plain article', async () => {
    const dir = tempDir('md');
    writeFileSync(join(dir, 'plain.md'), '# عنوان الخبر في سطر أول\n\nبكين 1 مارس 2022 (شينخوا) جرى اللقاء اليوم.\n');
    const [article] = (await loadCorpus(dir)).articles;
    expect(article).toMatchObject({ title: 'عنوان الخبر في سطر أول', outlet: 'شينخوا', date: '2022-03-01' });
  });

  it('takes a short Markdown heading as the title, and refuses a file that is only a heading', async () => {
    const dir = tempDir('md-heading');
    writeFileSync(join(dir, 'short.md'), '# السكري\n\nالسكري مرض مزمن يصيب ملايين الناس.\n');
    writeFileSync(join(dir, 'brackets.md'), '# نادي الهلال (السعودية)\n\nنادي الهلال نادٍ رياضي سعودي.\n');
    writeFileSync(join(dir, 'heading-only.md'), '# عنوان\n');
    const { articles, skipped } = await loadCorpus(dir);
    expect(articles.map((a) => [a.id, a.title, a.sentences.map((s) => s.text)])).toEqual([
      ['brackets', 'نادي الهلال (السعودية)', ['نادي الهلال نادٍ رياضي سعودي.']],
      ['short', 'السكري', ['السكري مرض مزمن يصيب ملايين الناس.']],
    ]);
    expect(skipped).toEqual([{ file: 'heading-only.md', reason: 'no article text' }]);
  });

  it('fails clearly on a missing or empty corpus folder', async () => {
    await expect(loadCorpus(join(tempDir('none'), 'missing'))).rejects.toThrow(CorpusError);
    const empty = tempDir('empty');
    mkdirSync(join(empty, 'sub'));
    writeFileSync(join(empty, 'notes.csv'), 'a,b');
    await expect(loadCorpus(empty)).rejects.toThrow(/No articles in/);
  });

  it('reads web pages saved as .html with the same extraction as the ingester, and names every other file it passes over', async () => {
    const dir = copyCorpus();
    const canonical = `https://modern.example${MODERN.path}`;
    writeFileSync(join(dir, 'modern.html'), modernPage().replace(`href="${MODERN.path}"`, `href="${canonical}"`));
    writeFileSync(join(dir, 'old.htm'), oldPageBytes()); // windows-1256, declared only in a meta tag
    writeFileSync(join(dir, 'export.json'), '{"title": "x"}');
    writeFileSync(join(dir, 'report.docx'), Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    writeFileSync(join(dir, '.partial.tmp'), 'temporary');
    const { articles, skipped } = await loadCorpus(dir);
    const modern = articles.find((a) => a.id === 'modern');
    expect(modern).toMatchObject({ title: MODERN.title, outlet: MODERN.outlet, date: MODERN.date, url: canonical });
    expect(modern?.sentences.map((s) => s.text)).toContain(MODERN.sentences[0]);
    expect(modern?.text).not.toMatch(/ملفات تعريف الارتباط|أسعار الذهب|جميع الحقوق/);
    const old = articles.find((a) => a.id === 'old');
    expect(old).toMatchObject({ title: OLD.title, outlet: OLD.outlet, date: OLD.date });
    expect(old?.text).toContain('ميناء طرطوس قادما من حلب');
    expect(skipped).toEqual([
      { file: 'export.json', reason: 'not an article file (only .txt, .md and .html are read)' },
      { file: 'report.docx', reason: 'not an article file (only .txt, .md and .html are read)' },
    ]);
  });
});

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { articleTextHash } from '../../src/corpus/identity.js';
import { parseArticleFile } from '../../src/corpus/load.js';
import { articleFile, FileArticleStore } from '../../src/ingest/store.js';
import { tempDir } from '../helpers/fixtures.js';

const MAX = 1 << 20;
const page = {
  title: 'افتتاح جسر جديد',
  outlet: 'وكالة',
  date: '2024-06-01',
  from: 'https://mirror.example/x',
  paragraphs: [
    'افتتح المحافظ اليوم جسرا جديدا فوق النهر. وقال إن الجسر سيخفف الزحام.',
    'وحضر الافتتاح عدد من المسؤولين.',
  ],
};

describe('FileArticleStore: articles found again by the hash of their sentences, as the database finds them', () => {
  it('names an article without an address by the hash of its parsed sentences (articleTextHash), and finds it again by it', async () => {
    const corpus = tempDir('store-hash');
    const first = await new FileArticleStore(corpus, MAX).put(page);
    expect(first.status).toBe('added');
    const file = join(corpus, `${first.id}.md`);
    const parsed = parseArticleFile(`${first.id}.md`, readFileSync(file));
    if ('reason' in parsed) throw new Error(parsed.reason);
    // One definition: the database's store hashes (and names) the same article the same way.
    expect(first.id).toBe(`article-${articleTextHash(parsed).slice(0, 10)}`);
    // Another process (the folder read afresh) reaches the same text cut into paragraphs otherwise, with tatweel.
    const again = await new FileArticleStore(corpus, MAX).put({
      ...page,
      from: 'https://other.example/y',
      paragraphs: [
        'افتتح المحافظ اليوم جسرا جديدا فوق النهر.',
        'وقال إن الجسر سيخفف الزحـام. وحضر الافتتاح عدد من المسؤولين.',
      ],
    });
    expect(again).toEqual({ status: 'unchanged', id: first.id });
  });

  it('still finds an article file written before (whatever id it was given) by its text', async () => {
    const corpus = tempDir('store-hash-old');
    writeFileSync(join(corpus, 'bridge-2024.md'), articleFile(page));
    expect(await new FileArticleStore(corpus, MAX).put({ ...page, from: 'https://mirror.example/z' })).toEqual({
      status: 'unchanged',
      id: 'bridge-2024',
    });
  });

  it('finds an article the folder keeps as .txt or .html, by its text or its canonical link, and never writes over it', async () => {
    const corpus = tempDir('store-other-formats');
    const txt = `${page.title}\n\n${page.paragraphs.join('\n\n')}\n`;
    writeFileSync(join(corpus, 'bridge.txt'), txt);
    const other = { ...page, title: 'سوق جديدة', paragraphs: ['افتتحت البلدية سوقا جديدة للخضار في وسط المدينة.'] };
    const html = `<html><head><title>${other.title}</title><link rel="canonical" href="https://news.example/market"></head><body><article><h1>${other.title}</h1><p>${other.paragraphs[0]}</p></article></body></html>`;
    writeFileSync(join(corpus, 'market.html'), html);
    const store = new FileArticleStore(corpus, MAX);

    // The same text from the web: the .txt article, not a second copy beside it.
    expect(await store.put({ ...page, from: 'https://mirror.example/b' })).toEqual({
      status: 'unchanged',
      id: 'bridge',
    });
    // The page's canonical address with other text: the .html file stays the article.
    const changed = { ...other, url: 'https://news.example/market', paragraphs: ['نص آخر تماما عن السوق الجديدة.'] };
    expect(await store.put({ ...changed, from: 'https://news.example/market' })).toEqual({
      status: 'unchanged',
      id: 'market',
    });
    expect(await store.idOf('https://news.example/market')).toBe('market');
    expect(readFileSync(join(corpus, 'bridge.txt'), 'utf8')).toBe(txt);
    expect(readFileSync(join(corpus, 'market.html'), 'utf8')).toBe(html);
    expect(readdirSync(corpus).sort()).toEqual(['bridge.txt', 'market.html']);
  });
});

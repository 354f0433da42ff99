import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../src/corpus/front-matter.js';
import { HostPolicy } from '../../src/ingest/address.js';
import { readExport } from '../../src/ingest/cms-export.js';
import { WebClient } from '../../src/ingest/http.js';
import { Ingester } from '../../src/ingest/ingest.js';
import { FileArticleStore } from '../../src/ingest/store.js';
import { tempDir } from '../helpers/fixtures.js';
import { MODERN, modernPage } from '../helpers/news-site.js';

const MAX_BYTES = 1024 * 1024;

/** An ingester that never fetches (exports are read from disk): its client allows nothing. */
function ingester(corpus: string) {
  const client = new WebClient({
    policy: new HostPolicy(),
    userAgent: 'test',
    maxBytes: MAX_BYTES,
    timeoutMs: 1000,
    hostDelayMs: 0,
  });
  return new Ingester({ client, store: new FileArticleStore(corpus, MAX_BYTES) });
}

describe('CMS exports', () => {
  it('reads JSON lines: body or html, the documented field names, and names each bad row', async () => {
    const dir = tempDir('export');
    const file = join(dir, 'export.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          headline: 'افتتاح متحف الخط العربي في الشارقة',
          body: 'افتتح حاكم الشارقة متحفا جديدا للخط العربي يضم ثلاثمئة مخطوطة نادرة.\n\nويفتح المتحف أبوابه للزوار مجانا طوال شهر رمضان.',
          published_at: '2024-03-11T08:00:00Z',
          link: 'https://culture.example/museum?utm_source=cms',
          publisher: 'مجلة الثقافة',
          author: 'منى',
        }),
        JSON.stringify({ html: modernPage(), url: `https://modern.example${MODERN.path}` }),
        '{not json',
        JSON.stringify({ title: 'بلا نص' }),
        '',
      ].join('\n'),
    );
    const corpus = join(dir, 'corpus');
    const summary = await ingester(corpus).store(await readExport(file));
    expect(summary.added).toBe(2);
    expect(summary.refused).toEqual([
      { url: 'export.jsonl:3', reason: 'export', detail: expect.stringMatching(/^not JSON/) },
      { url: 'export.jsonl:4', reason: 'export', detail: 'no body or html field with text' },
    ]);
    const fronts = readdirSync(corpus).map((f) => splitFrontMatter(readFileSync(join(corpus, f), 'utf8')));
    expect(fronts.map((f) => f.front)).toEqual(
      expect.arrayContaining([
        {
          title: 'افتتاح متحف الخط العربي في الشارقة',
          source: 'مجلة الثقافة',
          date: '2024-03-11',
          url: 'https://culture.example/museum?utm_source=cms',
          author: 'منى',
        },
        expect.objectContaining({ title: MODERN.title, source: MODERN.outlet, date: MODERN.date }),
      ]),
    );
    // The same export again: nothing new.
    const again = await ingester(corpus).store(await readExport(file));
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });

  it('reads CSV with a header row, quoted fields holding new lines', async () => {
    const dir = tempDir('export-csv');
    const file = join(dir, 'export.csv');
    writeFileSync(
      file,
      'title,body,date,url,outlet\n"سباق الهجن في العلا","انطلق سباق الهجن في محافظة العلا بمشاركة ألف مطية.\nوتبلغ قيمة الجوائز مليون ريال.",15 يناير 2024,https://sport.example/camels,صحيفة الرياضة\n',
    );
    const corpus = join(dir, 'corpus');
    const summary = await ingester(corpus).store(await readExport(file));
    expect(summary).toMatchObject({ added: 1, refused: [] });
    const [name] = readdirSync(corpus);
    const { front, body } = splitFrontMatter(readFileSync(join(corpus, name), 'utf8'));
    expect(front).toMatchObject({ title: 'سباق الهجن في العلا', source: 'صحيفة الرياضة', date: '2024-01-15' });
    expect(body).toContain('وتبلغ قيمة الجوائز مليون ريال.');
  });

  it('refuses other kinds of file with a reason', async () => {
    const file = join(tempDir('export-x'), 'export.xlsx');
    writeFileSync(file, 'x');
    await expect(readExport(file)).rejects.toThrow(/\.jsonl, \.ndjson or \.csv files, not export\.xlsx/);
  });
});

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, startCli } from '../helpers/cli.js';
import { builtInModelEnv, copyCorpus, tempDir } from '../helpers/fixtures.js';
import {
  FEED_ETAG,
  MODERN,
  modernPage,
  type NewsSite,
  OLD,
  OLIVE,
  PRIVATE_PATH,
  startNewsSite,
} from '../helpers/news-site.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Issue 22 in postgres mode, as processes: npm run ingest stores the
 * articles in the database (never in CORPUS_DIR), a later npm run index
 * keeps them, and a fresh process with no index folder answers from them.
 * A real PostgreSQL (PGlite over its socket) and a news site on loopback.
 */
let db: TestPostgres;
let site: NewsSite;

beforeAll(async () => {
  [db, site] = await Promise.all([startPostgres(), startNewsSite()]);
});
afterAll(async () => {
  await Promise.all([db?.stop(), site?.close()]);
});

/** A process of a fresh checkout in postgres mode: CORPUS_DIR and INDEX_DIR name folders that must never appear. */
function postgresEnv(work: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return builtInModelEnv({
    SEARCH_BACKEND: 'postgres',
    DATABASE_URL: db.url,
    CORPUS_DIR: join(work, 'corpus'),
    INDEX_DIR: join(work, 'embeddings'),
    DATA_DIR: join(work, 'data'),
    INGEST_HOST_DELAY_MS: '20',
    INGEST_TIMEOUT_MS: '15000',
    INGEST_ALLOW_HOSTS: '127.0.0.1',
    ...extra,
  });
}

async function webArticles(): Promise<{ id: string; url: string; title: string }[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT a.id, a.url, a.title FROM articles a JOIN current_build c
          ON a.added_in <= c.build_id AND (a.removed_in IS NULL OR a.removed_in > c.build_id)
        WHERE a.origin = 'web' ORDER BY a.id`,
    );
    const inbox = await client.query('SELECT count(*)::int AS n FROM article_inbox');
    expect(inbox.rows[0].n).toBe(0); // every stored article was published
    return rows;
  } finally {
    await client.end();
  }
}

const CHANGED = [
  'افتتحت وزارة المياه الأردنية صباح اليوم محطة جديدة لتحلية مياه البحر في مدينة العقبة بطاقة إنتاجية تبلغ مئتين وخمسين ألف متر مكعب يوميا بعد توسعتها.',
  ...MODERN.sentences.slice(1),
];

describe('npm run ingest in postgres mode (SEARCH_BACKEND=postgres)', () => {
  it('stores articles in the database, not in CORPUS_DIR; a feed read again adds nothing; a changed page is updated in place; npm run index keeps them; a fresh process answers from them', async () => {
    const work = tempDir('pg-ingest');
    const env = postgresEnv(work);
    // The archive as a newsroom starts it: the corpus folder indexed from another machine.
    const corpusDir = copyCorpus();
    const indexed = await runCli('index-corpus', ['--corpus', corpusDir, '--json'], postgresEnv(tempDir('pg-builder')));
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(lastJsonLine(indexed.stdout)).toMatchObject({ articles: 5 });

    const first = await runCli(
      'ingest',
      ['--json', `${site.origin}${MODERN.path}`, `${site.origin}${OLD.path}`, `${site.origin}/rss.xml`],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Refused .*\/private\/leak: disallowed by .*robots\.txt/);
    const summary = lastJsonLine(first.stdout);
    expect(summary).toMatchObject({
      added: 3,
      updated: 0,
      refused: [{ url: `${site.origin}${PRIVATE_PATH}`, reason: 'robots' }],
      index: { articles: 8 },
    });
    const stored = await webArticles();
    expect(stored.map((a) => a.url).sort()).toEqual(
      [MODERN.path, OLD.path, OLIVE.path].map((path) => `${site.origin}${path}`).sort(),
    );
    const modernId = stored.find((a) => a.url.endsWith(MODERN.path))?.id;

    // The feed again: one conditional request, nothing added. The mobile page and a redirect: the same article.
    const again = await runCli(
      'ingest',
      ['--json', `${site.origin}/rss.xml`, `${site.origin}/m/news/desalination-aqaba`, `${site.origin}/go/modern`],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(lastJsonLine(again.stdout)).toMatchObject({ added: 0, updated: 0, unchanged: 2, notModified: 1 });
    expect(site.requests.filter((r) => r.path === '/rss.xml').at(-1)).toMatchObject({
      status: 304,
      headers: { 'if-none-match': FEED_ETAG },
    });

    // The page changed: the same article, updated in place.
    site.edit(MODERN.path, modernPage(CHANGED));
    const changed = await runCli('ingest', ['--json', `${site.origin}${MODERN.path}`], env);
    expect(changed.code, changed.stderr).toBe(0);
    expect(lastJsonLine(changed.stdout)).toMatchObject({
      added: 0,
      updated: 1,
      articles: [{ status: 'updated', id: modernId }],
      index: { articles: 8 },
    });
    expect((await webArticles()).map((a) => a.id)).toHaveLength(3);

    // A build of the corpus folder keeps the ingested articles.
    const rebuilt = await runCli('index-corpus', ['--corpus', corpusDir, '--json'], postgresEnv(tempDir('pg-builder')));
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(lastJsonLine(rebuilt.stdout)).toMatchObject({ articles: 8, embedded: 0 });

    // A fresh process, no index folder: answers from the ingested articles, with their canonical addresses.
    const asker = tempDir('pg-asker');
    const questions = join(asker, 'questions.txt');
    writeFileSync(
      questions,
      [
        'كم تبلغ الطاقة الإنتاجية لمحطة تحلية مياه البحر في العقبة؟',
        'من أين قدم أول قطار بضائع وصل إلى ميناء طرطوس؟',
        'كم يتوقع أن يبلغ إنتاج الزيت في سهول جنين هذا العام؟',
        'ما تفاصيل صفقة شراء طائرات مسيرة من شركة أجنبية؟',
        'ما هو سعر الذهب في الأسواق المحلية؟',
      ].join('\n'),
    );
    const asked = await runCli('ask', ['--json', '--batch', questions], postgresEnv(asker));
    expect(asked.code, asked.stderr).toBe(0);
    const answers = asked.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.map((a) => a.found)).toEqual([true, true, true, false, false]);
    const top = (i: number) => answers[i].answers[0];
    expect(top(0)).toMatchObject({ title: MODERN.title, outlet: MODERN.outlet, date: MODERN.date });
    expect(top(0).url).toBe(`${site.origin}${MODERN.path}`);
    expect(top(0).text).toContain('مئتين وخمسين ألف متر مكعب');
    expect(top(1)).toMatchObject({ title: OLD.title, outlet: OLD.outlet, url: `${site.origin}${OLD.path}` });
    expect(top(2)).toMatchObject({ title: OLIVE.title, outlet: OLIVE.outlet, url: `${site.origin}${OLIVE.path}` });

    for (const folder of ['corpus', 'embeddings']) expect(existsSync(join(work, folder))).toBe(false);
    expect(existsSync(join(asker, 'embeddings'))).toBe(false);
  }, 600_000); // seven processes, each loading the model

  it('two `--follow` processes on one database: one polls at a time (the lease in the database), the other waits', async () => {
    const work = tempDir('pg-follow');
    const follower = (name: string) => {
      const child = startCli(
        'ingest',
        ['--follow', '--json'],
        postgresEnv(join(work, name), {
          FEEDS: `${site.origin}/rss.xml`,
          FEED_POLL_MINUTES: '0.05', // 3 s, the shortest allowed
          LOG_LEVEL: 'debug',
        }),
      );
      const seen = { polls: 0, skips: 0, stderr: '' };
      child.stdout?.on('data', (d: Buffer) => {
        seen.polls += String(d)
          .split('\n')
          .filter((line) => line.startsWith('{')).length;
      });
      child.stderr?.on('data', (d: Buffer) => {
        seen.stderr += d;
        seen.skips += (String(d).match(/another process holds the feed lease/g) ?? []).length;
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      return { child, seen, closed };
    };
    const before = site.requests.filter((r) => r.path === '/rss.xml').length;
    const a = follower('a');
    const b = follower('b');
    const ticks = (f: typeof a) => f.seen.polls + f.seen.skips;
    const deadline = Date.now() + 180_000;
    while (ticks(a) < 5 || ticks(b) < 5) {
      if (Date.now() > deadline || a.child.exitCode !== null || b.child.exitCode !== null)
        throw new Error(`${JSON.stringify([a.seen, b.seen])}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.closed).toBe(0);
    expect(await b.closed).toBe(0);
    const polls = a.seen.polls + b.seen.polls;
    // Without the lease both would poll at every tick: about twice as many polls as one process's ticks.
    expect(polls, JSON.stringify([a.seen.polls, a.seen.skips, b.seen.polls, b.seen.skips])).toBeLessThanOrEqual(
      Math.max(ticks(a), ticks(b)) + 1,
    );
    expect(a.seen.skips + b.seen.skips).toBeGreaterThan(0);
    expect(site.requests.filter((r) => r.path === '/rss.xml').length - before).toBe(polls);
  }, 240_000);
});

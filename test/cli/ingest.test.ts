import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runCli, startCli } from '../helpers/cli.js';
import { builtInModelEnv, copyCorpus, tempDir } from '../helpers/fixtures.js';
import {
  BRIDGE,
  FEED_ETAG,
  MODERN,
  type NewsSite,
  OLD,
  OLIVE,
  PRIVATE_PATH,
  startNewsSite,
} from '../helpers/news-site.js';

/**
 * The check that closes issue 22, as processes: npm run ingest, then
 * npm run index -- --json, then npm run ask -- --json, against a news site
 * on a loopback port, with the built-in model.
 */
let site: NewsSite;
let corpusDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  site = await startNewsSite();
  corpusDir = copyCorpus();
  const work = tempDir('ingest-cli');
  env = builtInModelEnv({
    CORPUS_DIR: corpusDir,
    INDEX_DIR: join(work, 'embeddings'),
    DATA_DIR: join(work, 'data'),
    INGEST_HOST_DELAY_MS: '20',
    INGEST_TIMEOUT_MS: '15000',
  });
});
afterAll(() => site.close());

describe('npm run ingest', () => {
  it('refuses a loopback address before any request when INGEST_ALLOW_HOSTS is unset', async () => {
    const before = site.connections;
    const result = await runCli('ingest', ['--json', `${site.origin}${MODERN.path}`], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Refused http:\/\/127\.0\.0\.1:\d+\/news\/desalination-aqaba: .*loopback/);
    expect(lastJsonLine(result.stdout)).toMatchObject({ added: 0, refused: [{ reason: 'address' }] });
    expect(site.connections).toBe(before);
    expect(readdirSync(corpusDir)).toHaveLength(5);
  }, 120_000);

  it('ingests pages and a feed, then a second run of the feed is one conditional request that adds nothing; index and ask answer from them', async () => {
    const allowed = { ...env, INGEST_ALLOW_HOSTS: '127.0.0.1' };
    const first = await runCli(
      'ingest',
      ['--json', `${site.origin}${MODERN.path}`, `${site.origin}${OLD.path}`, `${site.origin}/rss.xml`],
      allowed,
    );
    expect(first.stderr).toMatch(
      /Refused .*\/private\/leak: disallowed by .*robots\.txt \(line 2: "Disallow: \/private\/"\)/,
    );
    expect(first.code).toBe(0); // only an article the feed listed was refused
    const summary = lastJsonLine(first.stdout);
    expect(summary).toMatchObject({
      added: 3,
      updated: 0,
      refused: [{ url: `${site.origin}${PRIVATE_PATH}`, reason: 'robots' }],
    });
    expect(summary.index).toMatchObject({ articles: 8 });
    expect(readdirSync(corpusDir).filter((f) => f.endsWith('.md'))).toHaveLength(3);

    const second = await runCli('ingest', ['--json', `${site.origin}/rss.xml`], allowed);
    expect(second.code).toBe(0);
    expect(lastJsonLine(second.stdout)).toMatchObject({ added: 0, updated: 0, notModified: 1 });
    expect(site.requests.filter((r) => r.path === '/rss.xml').at(-1)).toMatchObject({
      status: 304,
      headers: { 'if-none-match': FEED_ETAG },
    });
    expect(readdirSync(corpusDir)).toHaveLength(8);

    const index = await runCli('index-corpus', ['--json'], allowed);
    expect(index.code).toBe(0);
    expect(lastJsonLine(index.stdout)).toMatchObject({ articles: 8, embedded: 0 });

    const questions = join(tempDir('questions'), 'questions.txt');
    writeFileSync(
      questions,
      [
        'كم تبلغ الطاقة الإنتاجية لمحطة تحلية مياه البحر في العقبة؟',
        'من أين قدم أول قطار بضائع وصل إلى ميناء طرطوس؟',
        'كم يتوقع أن يبلغ إنتاج الزيت في سهول جنين هذا العام؟',
        'ما هو سعر الذهب في الأسواق المحلية؟',
        'ما تفاصيل صفقة شراء طائرات مسيرة من شركة أجنبية؟',
      ].join('\n'),
    );
    const asked = await runCli('ask', ['--json', '--batch', questions], allowed);
    expect(asked.code).toBe(0);
    const answers = asked.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const top = (i: number) => answers[i].answers[0];
    expect(answers.map((a) => a.found)).toEqual([true, true, true, false, false]);
    expect(top(0)).toMatchObject({
      title: MODERN.title,
      outlet: MODERN.outlet,
      date: MODERN.date,
      url: `${site.origin}${MODERN.path}`,
    });
    expect(top(0).text).toContain('مئة وخمسين ألف متر مكعب');
    expect(top(1)).toMatchObject({
      title: OLD.title,
      outlet: OLD.outlet,
      date: OLD.date,
      url: `${site.origin}${OLD.path}`,
    });
    expect(top(1).text).toContain('قادما من حلب');
    expect(top(2)).toMatchObject({
      title: OLIVE.title,
      outlet: OLIVE.outlet,
      date: OLIVE.date,
      url: `${site.origin}${OLIVE.path}`,
    });
  }, 400_000);

  it('exits non-zero naming each refused address given on the command line', async () => {
    const result = await runCli('ingest', [`${site.origin}/photo.png`, `${site.origin}${PRIVATE_PATH}`], {
      ...env,
      INGEST_ALLOW_HOSTS: '127.0.0.1',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /refused +http:\/\/127\.0\.0\.1:\d+\/photo\.png: .*image\/png, not a web page or a feed/,
    );
    expect(result.stdout).toMatch(/refused +http:\/\/127\.0\.0\.1:\d+\/private\/leak: disallowed by/);
  }, 120_000);

  it('--follow polls FEEDS: new articles come in at the next poll, an unchanged feed is one 304; SIGTERM stops it', async () => {
    const work = tempDir('follow');
    const followed = copyCorpus();
    const child = startCli('ingest', ['--follow', '--json'], {
      ...env,
      CORPUS_DIR: followed,
      INDEX_DIR: join(work, 'embeddings'),
      DATA_DIR: join(work, 'data'),
      INGEST_ALLOW_HOSTS: '127.0.0.1',
      FEEDS: `${site.origin}/rss.xml`,
      FEED_POLL_MINUTES: '0.05',
    });
    const polls: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    let buffered = '';
    child.stdout?.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) polls.push(JSON.parse(line));
    });
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    const poll = async (n: number) => {
      const deadline = Date.now() + 240_000;
      while (polls.length < n) {
        if (Date.now() > deadline) throw new Error(`${polls.length} polls; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return polls[n - 1];
    };
    try {
      expect(await poll(1)).toMatchObject({ added: 2, notModified: 0, index: { articles: 7 } });
      site.addToFeed(BRIDGE.path);
      // A poll that began before the change still sees the old feed (a 304); the first one after it adds the new article only.
      let n = polls.length;
      let withBridge = await poll(++n);
      while (withBridge.added === 0 && withBridge.notModified === 1 && n < 6) withBridge = await poll(++n);
      expect(withBridge, JSON.stringify(polls)).toMatchObject({ added: 1, updated: 0, index: { articles: 8 } });
      const quiet = await poll(polls.length + 1);
      expect(quiet).toMatchObject({ added: 0, notModified: 1 });
      expect(site.requests.filter((r) => r.path === '/rss.xml').at(-1)).toMatchObject({
        status: 304,
        headers: { 'if-none-match': site.etag() },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 400_000);
});

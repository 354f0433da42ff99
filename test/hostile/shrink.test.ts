/**
 * A corpus gone unreadable (every file re-encoded to windows-1256): before,
 * `npm run index` published an empty build over a good one and exited 0, and
 * every question got "not found". Now a build that would remove more than
 * half of the published articles is refused unless asked for.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexShrinkError } from '../../src/answering/archive.js';
import { t } from '../../src/i18n/i18n.js';
import { CURRENT_FILE } from '../../src/search/local/location.js';
import { runCli } from '../helpers/cli.js';
import { indexedCopy, openArchive, openService, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';

/** These tests start the program as processes: time for a busy two-core machine. */
const PROCESS_TIMEOUT_MS = 180_000;

/** windows-1256, from the platform's own decoder: each byte 0x80-0xFF and the character it stands for. */
const CP1256 = new Map<string, number>();
const decoder = new TextDecoder('windows-1256');
for (let byte = 0x80; byte <= 0xff; byte++) CP1256.set(decoder.decode(Uint8Array.of(byte)), byte);

/** Rewrites a UTF-8 file in windows-1256, as an old Windows editor saves Arabic. */
function reencode(file: string): void {
  const text = readFileSync(file, 'utf8');
  const bytes = [...text].map((ch) => (ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : (CP1256.get(ch) ?? 0x3f)));
  writeFileSync(file, Buffer.from(bytes));
}

async function indexedCorpus(): Promise<{ corpus: string; indexDir: string; live: string }> {
  const { corpus, indexDir } = await indexedCopy('shrink');
  return { corpus, indexDir, live: readFileSync(join(indexDir, CURRENT_FILE), 'utf8') };
}

const QUESTION = 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟';

describe('a build that would remove most of the published articles', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('every article re-encoded to windows-1256: `npm run index` refuses in one line, the good index stays live and answers', async () => {
    const { corpus, indexDir, live } = await indexedCorpus();
    for (const name of readdirSync(corpus)) reencode(join(corpus, name));
    const result = await runCli('index-corpus', ['--corpus', corpus, '--out', indexDir], tinyModelEnv());
    expect(result.code).not.toBe(0);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('Error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('would remove 5 of the 5 published articles (0 left, 5 files skipped as unreadable');
    expect(errors[0]).toContain('--allow-shrink');
    // Each unreadable file was named in a warning before.
    expect(result.stderr.match(/^Warning: skipped .*not valid UTF-8/gm)?.length ?? 0).toBe(5);
    expect(readFileSync(join(indexDir, CURRENT_FILE), 'utf8')).toBe(live);
    const asked = await runCli('ask', ['--index', indexDir, '--json', QUESTION], tinyModelEnv());
    expect(asked.stdout).toContain('100 مليار دولار');
  });

  it('three of five unreadable is refused too; two of five is not; --allow-shrink publishes even an empty build', async () => {
    const { corpus, indexDir, live } = await indexedCorpus();
    const files = readdirSync(corpus).sort();
    for (const name of files.slice(0, 2)) reencode(join(corpus, name));
    const two = await runCli('index-corpus', ['--corpus', corpus, '--out', indexDir, '--json'], tinyModelEnv());
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout.trim().split('\n').pop() as string).articles).toBe(3);
    // Three left published; two more unreadable would leave one of three.
    for (const name of files.slice(2, 4)) reencode(join(corpus, name));
    const more = await runCli('index-corpus', ['--corpus', corpus, '--out', indexDir], tinyModelEnv());
    expect(more.code).not.toBe(0);
    expect(more.stderr).toContain('would remove 2 of the 3 published articles');
    expect(readFileSync(join(indexDir, CURRENT_FILE), 'utf8')).not.toBe(live);
    reencode(join(corpus, files[4]));
    const forced = await runCli(
      'index-corpus',
      ['--corpus', corpus, '--out', indexDir, '--allow-shrink', '--json'],
      tinyModelEnv(),
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout.trim().split('\n').pop() as string).articles).toBe(0);
  });

  it("the chat's /reindex (ArchiveService.rebuild) refuses the same, with a reply in the editor's language; allow-shrink publishes", async () => {
    const { corpus, indexDir, live } = await indexedCorpus();
    const embedder = await tinyEmbedder();
    const service = await openService(indexDir, embedder);
    const archive = openArchive(corpus, service, embedder);
    try {
      for (const name of readdirSync(corpus)) reencode(join(corpus, name));
      const refused = await archive.rebuild().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(IndexShrinkError);
      expect(refused).toMatchObject({ published: 5, remaining: 0, skipped: 5 });
      expect(readFileSync(join(indexDir, CURRENT_FILE), 'utf8')).toBe(live);
      expect((await service.ask(QUESTION)).found).toBe(true);
      const reply = t('ar', 'reindex-shrink-refused', { removed: 5, published: 5, skipped: 5 });
      expect(reply).toContain('/reindex allow-shrink');
      expect(reply).toContain('5');
      const figures = await archive.rebuild(undefined, { allowShrink: true });
      expect(figures.articles).toBe(0);
    } finally {
      service.close();
    }
  });
});

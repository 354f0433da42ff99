/**
 * Hostile index folders: a CURRENT that points outside INDEX_DIR (before: the
 * build it named was served), and drafts left by processes killed while
 * making a lock or publishing (before: left there forever).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../src/search/local/build.js';
import { openIndex } from '../../src/search/local/local-index.js';
import { CURRENT_FILE, currentBuildDir } from '../../src/search/local/location.js';
import { IndexDamagedError } from '../../src/search/local/verify.js';
import { runCli } from '../helpers/cli.js';
import { CHUNKING, copyCorpus, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';

/** These tests start the program as processes: time for a busy two-core machine. */
const PROCESS_TIMEOUT_MS = 180_000;

/** An index folder with one build of the seed corpus, and an intact build outside it. */
async function folderAndOutsider(): Promise<{ corpus: string; indexDir: string; inside: string; outside: string }> {
  const corpus = copyCorpus();
  const root = tempDir('pointer');
  const indexDir = join(root, 'embeddings');
  await buildIndex({ corpusDir: corpus, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING });
  const inside = (await currentBuildDir(indexDir)) as string;
  const outside = join(root, 'other', basename(inside).replace('build-', 'build-9'));
  mkdirSync(join(root, 'other'));
  cpSync(inside, outside, { recursive: true });
  return { corpus, indexDir, inside, outside };
}

describe('CURRENT may name only a build folder inside INDEX_DIR', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('"../other/build-…", an absolute path, "." or a name with a slash: refused, naming CURRENT; `ask` answers from the build inside and says why', async () => {
    const { indexDir, inside, outside } = await folderAndOutsider();
    for (const name of [`../other/${basename(outside)}`, outside, '.', `${basename(outside)}/..`]) {
      writeFileSync(join(indexDir, CURRENT_FILE), `${name}\n`);
      await expect(currentBuildDir(indexDir)).rejects.toThrow(IndexDamagedError);
      await expect(openIndex(indexDir)).rejects.toThrow(/CURRENT names .* which is not a build folder inside/);
    }
    writeFileSync(join(indexDir, CURRENT_FILE), `../other/${basename(outside)}\n`);
    const result = await runCli(
      'ask',
      ['--index', indexDir, '--json', 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟'],
      tinyModelEnv(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/CURRENT names .* not a build folder inside .*refused/);
    expect(result.stderr).toContain(`Answering from ${basename(inside)}`);
    expect(result.stdout).toContain('100 مليار دولار');
  });

  it('the bot and ask fall back to the intact build inside the folder, never the one outside', async () => {
    const { indexDir, inside, outside } = await folderAndOutsider();
    writeFileSync(join(indexDir, CURRENT_FILE), `../other/${basename(outside)}\n`);
    let used = '';
    const index = await openIndex(indexDir, { onFallback: (_damage, dir) => (used = dir) });
    try {
      expect(used).toBe(inside);
      expect(index.version).toBe(basename(inside));
    } finally {
      index.close();
    }
  });

  it('npm run index over a refused CURRENT builds everything again, says why, and publishes a build inside', async () => {
    const { corpus, indexDir, outside } = await folderAndOutsider();
    writeFileSync(join(indexDir, CURRENT_FILE), `../other/${basename(outside)}\n`);
    const result = await runCli('index-corpus', ['--corpus', corpus, '--out', indexDir, '--json'], tinyModelEnv());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('not a build folder inside');
    const name = readFileSync(join(indexDir, CURRENT_FILE), 'utf8').trim();
    expect(name).toMatch(/^build-[\w-]+$/);
    expect(existsSync(join(indexDir, name))).toBe(true);
  });
});

describe('drafts left by killed processes', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('a lock draft, a takeover draft and a CURRENT draft older than a heartbeat are cleared by the next build; a fresh one is left alone', async () => {
    const corpus = copyCorpus();
    const indexDir = join(tempDir('drafts'), 'embeddings');
    mkdirSync(indexDir, { recursive: true });
    const old = new Date(Date.now() - 10 * 60_000);
    const stale = ['build.lock.4242.k3j5h2', 'build.lock.takeover.4243.zz9', 'CURRENT.4244.tmp'];
    for (const name of stale) {
      writeFileSync(join(indexDir, name), '4242@somewhere');
      utimesSync(join(indexDir, name), old, old);
    }
    const fresh = `build.lock.${process.pid}.justnow`;
    writeFileSync(join(indexDir, fresh), 'being made');
    writeFileSync(join(indexDir, 'notes.txt'), 'not ours');
    utimesSync(join(indexDir, 'notes.txt'), old, old);
    await buildIndex({ corpusDir: corpus, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING });
    const left = readdirSync(indexDir);
    for (const name of stale) expect(left).not.toContain(name);
    expect(left).toContain(fresh);
    expect(left).toContain('notes.txt');
    expect(left).not.toContain('build.lock');
  });
});

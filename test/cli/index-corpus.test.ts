import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openIndex } from '../../src/search/local/local-index.js';
import { CURRENT_FILE } from '../../src/search/local/location.js';
import { lastJsonLine, runCli, startCli } from '../helpers/cli.js';
import { copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { CORPUS_DIR } from '../helpers/paths.js';

describe('npm run index', () => {
  it('reports the build as JSON on its last line, and embeds nothing when run again', async () => {
    const out = join(tempDir('cli'), 'embeddings');
    const first = await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', out, '--json'], tinyModelEnv());
    expect(first.code).toBe(0);
    const report = lastJsonLine(first.stdout);
    expect(report).toMatchObject({ articles: 5, embedded: 5, reused: 0 });
    for (const key of ['sentences', 'chunks', 'seconds']) expect(typeof report[key]).toBe('number');
    expect(first.stderr).toMatch(/Indexed 5 articles/);

    const second = await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', out, '--json'], tinyModelEnv());
    expect(lastJsonLine(second.stdout)).toMatchObject({ articles: 5, embedded: 0, reused: 5 });
  });

  it('prints one summary line without --json', async () => {
    const out = join(tempDir('cli'), 'embeddings');
    const result = await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', out], tinyModelEnv());
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/^Indexed 5 articles \(\d+ sentences, \d+ chunks\) with local\/tiny-arabic/);
  });

  it('skips an unreadable file with a warning naming it and indexes the rest', async () => {
    const corpus = copyCorpus();
    writeFileSync(join(corpus, 'broken.txt'), Buffer.from([0xff, 0xfe, 0xfa, 0x41]));
    const out = join(tempDir('cli'), 'embeddings');
    const result = await runCli('index-corpus', ['--corpus', corpus, '--out', out, '--json'], tinyModelEnv());
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Warning: skipped broken\.txt: not valid UTF-8 text/);
    expect(lastJsonLine(result.stdout)).toMatchObject({ articles: 5 });
  });

  it('exits non-zero with a clear message for a missing or empty corpus', async () => {
    const out = join(tempDir('cli'), 'embeddings');
    const missing = await runCli(
      'index-corpus',
      ['--corpus', join(tempDir('x'), 'nope'), '--out', out],
      tinyModelEnv(),
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^Error: Corpus folder not found: .*nope/m);

    const empty = tempDir('empty');
    const none = await runCli('index-corpus', ['--corpus', empty, '--out', out], tinyModelEnv());
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/^Error: No articles in /m);
  });

  it('exits non-zero when the output folder cannot be written', async () => {
    const parent = tempDir('cli');
    writeFileSync(join(parent, 'a-file'), 'x');
    const result = await runCli(
      'index-corpus',
      ['--corpus', CORPUS_DIR, '--out', join(parent, 'a-file', 'idx')],
      tinyModelEnv(),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^Error: Cannot write the index to /m);
  });

  it('exits non-zero naming the folder when the model is missing', async () => {
    const out = join(tempDir('cli'), 'embeddings');
    const result = await runCli(
      'index-corpus',
      ['--corpus', CORPUS_DIR, '--out', out, '--model', 'local/absent'],
      tinyModelEnv(),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /Embedding model "local\/absent" is not in .*local\/absent .*ALLOW_REMOTE_MODELS=false/,
    );
    expect(result.stderr).toContain('EMBEDDING_MODEL=arabic-news-static-256');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('leaves the previous index whole when killed with SIGKILL mid-build', async () => {
    const out = join(tempDir('kill'), 'embeddings');
    await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', out], tinyModelEnv());
    const pointer = readFileSync(join(out, CURRENT_FILE), 'utf8');

    // A corpus large enough that the kill lands while it is embedding or writing.
    const big = join(tempDir('big'), 'corpus');
    mkdirSync(big);
    for (let i = 0; i < 400; i++) cpSync(join(CORPUS_DIR, '000_a15eb1be77281f63.txt'), join(big, `copy-${i}.txt`));
    const child = startCli('index-corpus', ['--corpus', big, '--out', out, '--full'], tinyModelEnv());
    // The build lock exists from the moment the build starts work until it publishes.
    while (!existsSync(join(out, 'build.lock'))) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    expect(readFileSync(join(out, CURRENT_FILE), 'utf8')).toBe(pointer);
    const index = await openIndex(out);
    expect((await index.articles({ offset: 0, limit: 10 })).total).toBe(5);

    // The next build clears the debris and takes over the stale lock.
    const next = await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', out, '--json'], tinyModelEnv());
    expect(next.code).toBe(0);
    expect(existsSync(join(out, 'build.lock'))).toBe(false);
  });
});

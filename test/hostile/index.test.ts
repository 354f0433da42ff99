/**
 * Hostile input, the index: damaged builds, two builds at once, a full disk.
 * Every probe of SECURITY.md's "index" rows, again on every run.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService } from '../../src/answering/service.js';
import { buildIndex, IndexWriteError } from '../../src/search/local/build.js';
import { LocalEngine } from '../../src/search/local/engine.js';
import { openIndex } from '../../src/search/local/local-index.js';
import { CURRENT_FILE, currentBuildDir, IndexLockedError, lockIndexDir } from '../../src/search/local/location.js';
import { FILES } from '../../src/search/local/store.js';
import { IndexDamagedError } from '../../src/search/local/verify.js';
import { runCli } from '../helpers/cli.js';
import { CHUNKING, copyCorpus, indexedCopy, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';
import { ROOT } from '../helpers/paths.js';

/** Two builds of the seed corpus in one folder: the older one intact, the live one to be damaged. */
async function twoBuilds(): Promise<{ corpus: string; indexDir: string; older: string; live: string }> {
  const { corpus, indexDir } = await indexedCopy('damage');
  const embedder = await tinyEmbedder();
  const older = (await currentBuildDir(indexDir)) as string;
  writeFileSync(join(corpus, '005_extra.txt'), 'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة.\n');
  await buildIndex({ corpusDir: corpus, indexDir, embedder, chunking: CHUNKING });
  const live = (await currentBuildDir(indexDir)) as string;
  return { corpus, indexDir, older, live };
}

const DAMAGES: [string, (dir: string) => void][] = [
  ['a truncated sentence vector table', (dir) => truncateSync(join(dir, FILES.sentenceVectors), 100)],
  ['an empty chunk vector table', (dir) => truncateSync(join(dir, FILES.chunkVectors), 0)],
  ['a changed byte in the HNSW graph', (dir) => flipByte(join(dir, FILES.sentenceHnsw))],
  ['garbage in articles.json', (dir) => flipByte(join(dir, FILES.articles))],
  ['a missing BM25 index', (dir) => rmSync(join(dir, FILES.chunkLexical))],
  ['a manifest that is not JSON', (dir) => writeFileSync(join(dir, FILES.manifest), '{"formatVersion": 4, "model"')],
  ['a manifest without its file list', (dir) => rewriteManifest(dir, (m) => ({ ...m, files: undefined }))],
  ['extra bytes after the HNSW graph', (dir) => appendFileSync(join(dir, FILES.chunkHnsw), Buffer.alloc(16))],
];

function flipByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(file, bytes);
}

function rewriteManifest(dir: string, change: (m: Record<string, unknown>) => Record<string, unknown>): void {
  const file = join(dir, FILES.manifest);
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')))));
}

describe('a damaged live build', () => {
  for (const [what, damage] of DAMAGES) {
    it(`is refused by name (${what}); the newest intact build answers instead`, async () => {
      const { indexDir, older, live } = await twoBuilds();
      damage(live);
      const opened = openIndex(indexDir);
      await expect(opened).rejects.toThrow(IndexDamagedError);
      await expect(opened).rejects.toThrow(/npm run index -- --full/);

      const fallbacks: string[] = [];
      const index = await openIndex(indexDir, { onFallback: (e) => fallbacks.push(e.file) });
      expect(index.dir).toBe(older);
      expect(fallbacks).toHaveLength(1);
      expect((await index.lexicalSearch('sentence', 'بيسكوف', 3)).length).toBeGreaterThan(0);
    });
  }

  it('is never switched to by a running service (hot reload keeps the build it has)', async () => {
    const { corpus, indexDir, live } = await twoBuilds();
    const errors: Error[] = [];
    const service = await AnswerService.open({
      engine: LocalEngine.fromFolder(indexDir),
      embedder: await tinyEmbedder(),
      onReloadError: (error) => errors.push(error),
    });
    expect(service.version).toBe(basename(live));
    writeFileSync(join(corpus, '006_more.txt'), 'بكين 3 مارس 2022 (شينخوا) قالت الصين إن التعاون مستمر.\n');
    await buildIndex({ corpusDir: corpus, indexDir, embedder: await tinyEmbedder(), chunking: CHUNKING });
    truncateSync(join((await currentBuildDir(indexDir)) as string, FILES.sentenceVectors), 10);
    await service.reload();
    expect(service.version).toBe(basename(live));
    expect(errors.map((e) => e.name)).toEqual(['IndexDamagedError']);
    expect((await service.ask('كم بلغت التجارة الثنائية؟')).found).toBe(true);
    service.close();
  });

  it('makes the next incremental build a full one, and says why', async () => {
    const { corpus, indexDir, live } = await twoBuilds();
    truncateSync(join(live, FILES.sentenceVectors), 0);
    const report = await buildIndex({
      corpusDir: corpus,
      indexDir,
      embedder: await tinyEmbedder(),
      chunking: CHUNKING,
    });
    expect(report.fullRebuildReason).toMatch(/damaged \(sentence-vectors\.f32/);
    expect(report).toMatchObject({ embedded: 6, reused: 0 });
    await expect(openIndex(indexDir)).resolves.toBeDefined();
  });

  it('gives `npm run ask` one clear warning line, then answers from the intact build', async () => {
    const { indexDir, live } = await twoBuilds();
    truncateSync(join(live, FILES.sentenceVectors), 100);
    const result = await runCli(
      'ask',
      ['--index', indexDir, 'كم بلغت التجارة الثنائية بين الصين وروسيا؟'],
      tinyModelEnv(),
    );
    expect(result.code).toBe(0);
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^Warning: The index build .* is damaged: sentence-vectors\.f32 .*npm run index -- --full/,
    );
    expect(result.stdout).toContain('100 مليار دولار');
  });
});

describe('the build lock', () => {
  let probes: ChildProcess[] = [];

  /** A process that takes the lock when told to, reports, and lets go: two race on every trial. */
  function lockProbe(): ChildProcess {
    const child = fork(join(ROOT, 'test/hostile/lock-probe.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
    probes.push(child);
    return child;
  }

  function ask(child: ChildProcess, message: unknown): Promise<{ got: boolean; error?: string }> {
    return new Promise((resolve) => {
      child.once('message', (reply) => resolve(reply as { got: boolean; error?: string }));
      child.send(message as object);
    });
  }

  afterAll(() => {
    for (const p of probes) p.kill();
    probes = [];
  });

  it('is taken by exactly one of two processes starting at the same instant, in 100 of 100 trials', async () => {
    const indexDir = tempDir('lock');
    const [a, b] = [lockProbe(), lockProbe()];
    await Promise.all([ask(a, { ping: true }), ask(b, { ping: true })]);
    const winners: number[] = [];
    for (let trial = 0; trial < 100; trial++) {
      const results = await Promise.all([ask(a, { lock: indexDir }), ask(b, { lock: indexDir })]);
      winners.push(results.filter((r) => r.got).length);
      for (const r of results) if (!r.got) expect(r.error).toBe('IndexLockedError');
      await Promise.all([ask(a, { unlock: true }), ask(b, { unlock: true })]);
    }
    expect(winners.filter((n) => n === 1)).toHaveLength(100);
  });

  it('left by a killed build is taken over by exactly one of two processes, in 50 of 50 trials', async () => {
    const indexDir = tempDir('stale');
    const [a, b] = [lockProbe(), lockProbe()];
    // A process id that is not running: a build killed with kill -9.
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    const host = hostname();
    const winners: number[] = [];
    for (let trial = 0; trial < 50; trial++) {
      writeFileSync(join(indexDir, 'build.lock'), `${dead}@${host}`);
      const results = await Promise.all([ask(a, { lock: indexDir }), ask(b, { lock: indexDir })]);
      winners.push(results.filter((r) => r.got).length);
      await Promise.all([ask(a, { unlock: true }), ask(b, { unlock: true })]);
    }
    expect(winners.filter((n) => n === 1)).toHaveLength(50);
  });

  it('refuses a second build in the same process', async () => {
    const indexDir = tempDir('same');
    const unlock = await lockIndexDir(indexDir);
    await expect(lockIndexDir(indexDir)).rejects.toThrow(IndexLockedError);
    await unlock();
    await (await lockIndexDir(indexDir))();
  });
});

describe('a full disk', () => {
  let mount: string | undefined;

  beforeAll(() => {
    const dir = tempDir('full');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', dir], { stdio: 'ignore' });
      mount = dir;
    } catch {
      mount = undefined;
    }
  });

  afterAll(() => {
    if (mount) execFileSync('umount', ['-l', mount]);
  });

  it('is one clear line, and the previous index stays live (a real 600 KiB tmpfs)', async (context) => {
    if (!mount) return context.skip('tmpfs cannot be mounted here (needs root)');
    const corpus = copyCorpus();
    const indexDir = join(mount, 'embeddings');
    mkdirSync(indexDir);
    const embedder = await tinyEmbedder();
    await buildIndex({ corpusDir: corpus, indexDir, embedder, chunking: CHUNKING });
    const pointer = readFileSync(join(indexDir, CURRENT_FILE), 'utf8');
    // Enough new text that the next build cannot fit beside the live one.
    const article = Array.from(
      { length: 400 },
      (_, i) => `قال المتحدث في الفقرة ${i} إن التعاون بين البلدين مستمر ويتطور.`,
    ).join('\n');
    writeFileSync(join(corpus, '007_big.txt'), article);
    const failed = buildIndex({ corpusDir: corpus, indexDir, embedder, chunking: CHUNKING, full: true });
    await expect(failed).rejects.toThrow(IndexWriteError);
    await expect(failed).rejects.toThrow(/disk is full.*previous index stays live/);
    expect(readFileSync(join(indexDir, CURRENT_FILE), 'utf8')).toBe(pointer);
    const live = await openIndex(indexDir);
    expect((await live.articles({ offset: 0, limit: 10 })).total).toBe(5);
    await live.close(); // the tmpfs is unmounted after
    expect(existsSync(join(indexDir, 'build.lock'))).toBe(false);
  });
});

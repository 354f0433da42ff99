import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentBuildDir } from '../src/search/local/location.js';
import { syntheticCorpus } from './corpora.js';
import { measure, round } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A CLI or bench script run in its own process: wall seconds, peak RSS, its last stdout line as JSON. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss.json');
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/measured.ts'), rssFile, join(ROOT, script), ...args],
    { env, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr.slice(-2000)}`);
  const lines = result.stdout.trim().split('\n');
  return {
    seconds: round(seconds),
    maxRssMiB: (JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssMiB: number }).maxRssMiB,
    output: JSON.parse(lines[lines.length - 1]),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the index CLI's --json report
type BuildOutput = any;

function build(corpus: string, index: string, env: NodeJS.ProcessEnv, full: boolean) {
  const r = run(
    'src/cli/index-corpus.ts',
    ['--corpus', corpus, '--out', index, '--json', ...(full ? ['--full'] : [])],
    env,
  );
  const o = r.output as BuildOutput;
  return {
    wallSeconds: r.seconds,
    buildSeconds: o.seconds as number,
    maxRssMiB: r.maxRssMiB,
    articles: o.articles as number,
    sentences: o.sentences as number,
    chunks: o.chunks as number,
    embedded: o.embedded as number,
    part: o.part as string,
    pending: o.pending as number,
    passagesEmbedded: o.passagesEmbedded as number,
    phases: o.phases,
  };
}

/** Bytes of every file of the live build, by file. */
async function diskSize(indexDir: string) {
  const dir = (await currentBuildDir(indexDir)) as string;
  const files = Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]));
  const total = Object.values(files).reduce((a, b) => a + b, 0);
  return {
    totalMiB: round(total / 2 ** 20, 1),
    filesMiB: Object.fromEntries(Object.entries(files).map(([f, b]) => [f, round(b / 2 ** 20, 1)])),
  };
}

/** Process start to first answer printed, `npm run ask` as a user runs it, and its peak RSS. */
function coldStarts(indexDir: string, env: NodeJS.ProcessEnv, runs: number) {
  const seconds: number[] = [];
  let maxRssMiB = 0;
  for (let i = 0; i < runs; i++) {
    const r = run('src/cli/ask.ts', ['--index', indexDir, '--json', 'ماذا قال بيسكوف عن أفغانستان؟'], env);
    seconds.push(r.seconds);
    maxRssMiB = Math.max(maxRssMiB, r.maxRssMiB);
  }
  return { seconds: measure(seconds), maxRssMiB };
}

/** New articles for the incremental builds: the generator's, numbered after the corpus. */
function addArticles(corpus: string, from: number, count: number, source: string) {
  const files = readdirSync(source)
    .sort()
    .slice(from, from + count);
  for (const f of files) writeFileSync(join(corpus, f), readFileSync(join(source, f)));
}

/**
 * The archive at `size` articles, end to end, each step in its own process:
 * full build (time, phases, peak RSS), index size on disk, cold start,
 * serving (warm latencies, RSS), one then 100 articles added incrementally,
 * then a full build of the same corpus, whose answers to the seed questions
 * must equal the incrementally built index's.
 */
export async function benchScale(size: number, env: NodeJS.ProcessEnv) {
  const work = mkdtempSync(join(tmpdir(), `bench-scale-${size}-`));
  try {
    log(`  ${size} articles: generating…`);
    // One corpus of size + 101 articles; the last 101 are held back for the incremental builds.
    const all = await syntheticCorpus(join(work, 'all'), size + 101);
    const corpus = join(work, 'corpus');
    mkdirSync(corpus);
    addArticles(corpus, 0, size, all);
    const index = join(work, 'index');

    log('  full build…');
    const full = build(corpus, index, env, true);
    log(`    ${full.wallSeconds} s, peak RSS ${full.maxRssMiB} MiB`);
    const disk = await diskSize(index);
    log(`  index on disk: ${disk.totalMiB} MiB; cold start…`);
    const cold = coldStarts(index, env, 3);
    log(`    ${cold.seconds.median} s; serving…`);
    const serving = run('bench/serve.ts', [index], env);
    log(
      `    open ${round(serving.output.openSeconds)} s, warm p95 ${serving.output.warm.totalMs.p95} ms, RSS ${serving.output.memoryMiB.serving} MiB`,
    );

    log('  one article added…');
    const before = (await currentBuildDir(index)) as string;
    addArticles(corpus, size, 1, all);
    const addOne = build(corpus, index, env, false);
    log(`    ${addOne.wallSeconds} s (build ${addOne.buildSeconds} s); the bot's reload…`);
    const reload = run('bench/reload.ts', [index, before], env).output;
    log(
      `    ${reload.reloadSeconds} s (event loop blocked at most ${reload.reloadMaxBlockedMs} ms; from scratch ${reload.freshOpenSeconds} s); 100 articles added…`,
    );
    addArticles(corpus, size + 1, 100, all);
    const addHundred = build(corpus, index, env, false);
    log(
      `    ${addHundred.wallSeconds} s (build ${addHundred.buildSeconds} s); full build of the same corpus to compare…`,
    );
    const incrementalAnswers = run('bench/serve.ts', [index], env).output.seedAnswers;
    const fullIndex = join(work, 'index-full');
    const fullAgain = build(corpus, fullIndex, env, true);
    const fullAnswers = run('bench/serve.ts', [fullIndex], env).output.seedAnswers;
    const differing = incrementalAnswers.filter(
      (a: unknown, i: number) => JSON.stringify(a) !== JSON.stringify(fullAnswers[i]),
    ).length;
    log(`    seed answers: ${differing} of ${fullAnswers.length} differ between incremental and full`);

    return {
      articles: size,
      passages: full.passagesEmbedded,
      sentences: full.sentences,
      chunks: full.chunks,
      fullBuild: full,
      disk,
      coldStart: cold,
      serving: { ...serving.output, seedAnswers: undefined, maxRssMiB: serving.maxRssMiB },
      addOne,
      reloadAfterAddOne: reload,
      addHundred,
      fullBuildAfterAdds: fullAgain,
      incrementalEqualsFull: { questions: fullAnswers.length, differing },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * tsx scripts/answers-snapshot.ts OUT_FILE
 *
 * Records what the local engine answers, through the CLI (`npm run index`,
 * `npm run ask -- --json --batch`), to compare two versions of the code byte
 * for byte: the seed questions on the seed corpus, and every ARCD-train
 * question on the ARCD articles. Run it before and after a change, then
 * `cmp` the two files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readDataset, writeArticles } from '../src/eval/datasets.js';

const out = resolve(process.argv[2] ?? 'answers-snapshot.jsonl');
const root = resolve(import.meta.dirname, '..');
const work = await mkdtemp(join(tmpdir(), 'answers-snapshot-'));
const cli = (script: string, args: string[]) =>
  execFileSync('node', ['--import', 'tsx', join(root, 'src/cli', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 28,
  });

async function answers(name: string, corpusDir: string, questions: string[]): Promise<string> {
  const indexDir = join(work, `${name}-index`);
  const batch = join(work, `${name}-questions.txt`);
  await writeFile(batch, `${questions.map((q) => q.replace(/\s+/g, ' ')).join('\n')}\n`);
  cli('index-corpus.ts', ['--corpus', corpusDir, '--out', indexDir]);
  return cli('ask.ts', ['--index', indexDir, '--json', '--batch', batch]);
}

try {
  const seed = await readDataset(join(root, 'test/fixtures/seed-qa.json'));
  const offTopic = await readDataset(join(root, 'test/fixtures/off-topic.json'));
  const arcd = await readDataset(join(root, 'test/fixtures/arcd-train.json'));
  await writeArticles(join(work, 'arcd-corpus'), arcd.articles ?? []);
  const lines = [
    await answers(
      'seed',
      join(root, 'corpus'),
      [...seed.questions, ...offTopic.questions].map((q) => q.question),
    ),
    await answers(
      'arcd',
      join(work, 'arcd-corpus'),
      arcd.questions.map((q) => q.question),
    ),
  ].join('');
  await writeFile(out, lines);
  process.stdout.write(`${lines.split('\n').length - 1} answers → ${out}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}

/**
 * Tries answer options on a question set, indexing its articles once:
 *
 *     node --import tsx scripts/tune.ts --dataset test/fixtures/arcd-train.json \
 *       --set rerank.titleCoverage=0,0.5,1 --set fusion.k=10,20
 *     node --import tsx scripts/tune.ts --dataset test/fixtures/off-topic.json --index /tmp/seed-index
 *
 * The first line is the configured model's options as they are; then each
 * --set (group.option=v1,v2,…, see src/answering/options.ts) varies one
 * option from them, one value at a time. Each line shows hit@1, hit@3, MRR,
 * false not-found and the not-found check's room ("combined": the lowest
 * among answered questions, the highest among unanswerable ones). Our
 * question format needs --index (an index built with `npm run index`).
 * For re-calibrating after a change to analysis or ranking; see README,
 * "Answer quality".
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { type AnswerOptions, answerOptionsFor } from '../src/answering/options.js';
import { openEmbedder } from '../src/cli/setup.js';
import { loadConfig } from '../src/config.js';
import { readDataset } from '../src/eval/datasets.js';
import type { EvalSummary } from '../src/eval/metrics.js';
import { evaluate, indexDatasetArticles } from '../src/eval/run.js';
import { openEngine } from '../src/search/open-engine.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const program = new Command('tune')
  .requiredOption('--dataset <file>', 'seed-qa.json-style questions, or a SQuAD file')
  .option('--index <dir>', 'index to ask for our format')
  .option('--set <group.option=values>', 'an option and the values to try (repeatable)', collect, [])
  .parse();

/** The options with one of them changed. */
function withOption(options: AnswerOptions, path: string, value: number): AnswerOptions {
  const [group, name] = path.split('.') as [keyof AnswerOptions, string];
  if (!(group in options) || !(name in options[group])) throw new Error(`No answer option "${path}"`);
  return { ...options, [group]: { ...options[group], [name]: value } };
}

function line(name: string, s: EvalSummary): string {
  const f = (x: number | null) => (x === null ? '  n/a' : x.toFixed(3));
  return [
    name.padEnd(32),
    `hit@1 ${f(s.hitAt1)}  hit@3 ${f(s.hitAt3)}  MRR ${f(s.mrr)}  false not-found ${f(s.falseNotFound)}`,
    `combined: lowest answered ${f(s.combined.lowestFound)}, highest unanswerable ${f(s.combined.highestNoAnswer)}`,
  ].join('  ');
}

const opts = program.opts<{ dataset: string; index?: string; set: string[] }>();
const config = loadConfig();
const embedder = await openEmbedder(config);
const dataset = await readDataset(resolve(opts.dataset));
const built = dataset.articles ? await indexDatasetArticles(dataset, embedder, config.chunking) : undefined;
const engine = built?.engine ?? (await openEngine(opts.index ? { ...config, indexDir: resolve(opts.index) } : config));
try {
  const calibrated = answerOptionsFor(embedder.modelId, { minSimilarity: config.minSimilarity });
  const variants: [string, AnswerOptions][] = [['as configured', calibrated]];
  for (const set of opts.set) {
    const [path, values = ''] = set.split('=');
    for (const value of values.split(','))
      variants.push([`${path}=${value}`, withOption(calibrated, path, Number(value))]);
  }
  for (const [name, answerOptions] of variants) {
    const { summary } = await evaluate(dataset, { embedder, engine, chunking: config.chunking, answerOptions });
    process.stdout.write(`${line(name, summary)}\n`);
  }
} finally {
  await built?.cleanup();
}

/**
 * The rerank and quote stages' cost, two answer options alternating in one process (issue 23):
 *
 *     node --import tsx scripts/quote-cost.ts --index /tmp/arcd-work/index --rounds 3 [--mass 1]
 *
 * Answers ARCD's questions and the off-topic ones over ARCD's index (train-reranker.ts builds it), once
 * with the shipped options and once with the quote unit's neighbourMass set to --mass (0: the unit
 * without it), alternating question by question; prints each stage's p50/p95 and CPU per answer.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { Answerer, emptyTimings } from '../src/answering/answerer.js';
import { answerOptionsFor } from '../src/answering/options.js';
import { openEmbedder } from '../src/cli/setup.js';
import { loadConfig } from '../src/config.js';
import { readDataset } from '../src/eval/datasets.js';
import { openIndex } from '../src/search/local/local-index.js';

const opts = new Command('quote-cost')
  .requiredOption('--index <dir>', "ARCD's index")
  .option('--rounds <n>', 'rounds over the questions', '3')
  .option('--mass <x>', "the other arm's neighbourMass", '0')
  .parse()
  .opts<{ index: string; rounds: string; mass: string }>();

const config = loadConfig();
const embedder = await openEmbedder(config);
const index = await openIndex(resolve(opts.index));
const shipped = answerOptionsFor(embedder.modelId, { minSimilarity: config.minSimilarity });
const unit = shipped.quoting.unit;
if (!unit) throw new Error('no quote unit');
const other = { ...shipped, quoting: { ...shipped.quoting, unit: { ...unit, neighbourMass: Number(opts.mass) } } };
const arms = [
  { name: `shipped (neighbourMass ${unit.neighbourMass ?? 0})`, answerer: new Answerer(index, embedder, shipped) },
  { name: `neighbourMass ${opts.mass}`, answerer: new Answerer(index, embedder, other) },
];
const questions = [
  ...(await readDataset(resolve('test/fixtures/arcd-train.json'))).questions,
  ...(await readDataset(resolve('test/fixtures/off-topic.json'))).questions,
].map((q) => q.question);
const samples = arms.map(() => ({
  rerank: [] as number[],
  quotes: [] as number[],
  total: [] as number[],
  cpu: [] as number[],
}));
// One warm-up pass each: token rows looked up, titles known.
for (const arm of arms) for (const q of questions) await arm.answerer.ask(q);
for (let round = 0; round < Number(opts.rounds); round++)
  for (const q of questions)
    for (const [a, arm] of arms.entries()) {
      const timings = emptyTimings();
      const cpu = process.cpuUsage();
      const started = performance.now();
      await arm.answerer.ask(q, {}, timings);
      const spent = process.cpuUsage(cpu);
      samples[a].total.push(performance.now() - started);
      samples[a].cpu.push((spent.user + spent.system) / 1000);
      samples[a].rerank.push(timings.rerank);
      samples[a].quotes.push(timings.quotes);
    }
const at = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))];
for (const [a, arm] of arms.entries()) {
  const s = samples[a];
  const cell = (values: number[]) => `${at(values, 0.5).toFixed(2)} / ${at(values, 0.95).toFixed(2)}`;
  process.stdout.write(
    `${arm.name.padEnd(28)} p50 / p95 ms: rerank ${cell(s.rerank)}, quotes ${cell(s.quotes)}, total ${cell(s.total)}, CPU ${cell(s.cpu)}\n`,
  );
}
index.close();

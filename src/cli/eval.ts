/**
 * npm run eval -- --dataset FILE [--index DIR] [--json] [--show-misses]
 *
 * Scores answers on a question set: ours (seed-qa.json) or SQuAD (ARCD).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createEmbedder } from '../embedding/embedder.js';
import { evaluateFile } from '../eval/run.js';
import { firstHitRank } from '../eval/metrics.js';
import { runCli } from './run.js';

const program = new Command('eval')
  .description('Measure answer quality on a question set (our format or SQuAD).')
  .requiredOption('--dataset <file>', 'seed-qa.json-style questions, or a SQuAD file')
  .option('--index <dir>', 'index to ask for our format (default: INDEX_DIR)')
  .option('--json', 'print the figures as one JSON object')
  .option('--show-misses', 'list the questions not answered in the first three quotes')
  .parse();

runCli(async () => {
  const opts = program.opts<{ dataset: string; index?: string; json?: boolean; showMisses?: boolean }>();
  const config = loadConfig();
  const embedder = await createEmbedder(config.embedding);
  const { summary, records } = await evaluateFile(resolve(opts.dataset), {
    embedder,
    indexDir: opts.index ? resolve(opts.index) : config.indexDir,
    chunking: config.chunking,
  });
  if (opts.showMisses) {
    for (const { question, answer } of records) {
      const rank = question.noAnswer ? 0 : firstHitRank(question, answer);
      const wrong = question.noAnswer ? answer.found : rank === 0 || rank > 3;
      if (!wrong) continue;
      process.stderr.write(`MISS ${question.id} ${question.question}\n  gold: ${question.answers.join(' | ')}\n`);
      for (const q of answer.answers) process.stderr.write(`  - [${q.articleId}] ${q.text.slice(0, 160)}\n`);
      if (!answer.found) process.stderr.write('  (not found)\n');
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ dataset: opts.dataset, model: embedder.modelId, ...summary })}\n`);
    return;
  }
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  process.stdout.write(
    [
      `Dataset        ${opts.dataset} (${summary.questions} questions, ${summary.answerable} answerable)`,
      `Model          ${embedder.modelId}`,
      `hit@1          ${pct(summary.hitAt1)}`,
      `hit@3          ${pct(summary.hitAt3)}`,
      `MRR            ${summary.mrr.toFixed(3)}`,
      `not-found acc. ${pct(summary.notFoundAccuracy)} (false not-found on answerable: ${pct(summary.falseNotFound)})`,
      `latency        p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms`,
    ].join('\n') + '\n',
  );
});

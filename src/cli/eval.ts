/**
 * npm run eval -- --dataset FILE [--index DIR] [--json] [--show-misses]
 *
 * Scores answers on a question set: ours (seed-qa.json) or SQuAD (ARCD).
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { isMiss } from '../eval/metrics.js';
import { evaluateFile } from '../eval/run.js';
import { openEngine } from '../search/open-engine.js';
import { command } from './command.js';
import { runCli } from './run.js';
import { openEmbedder } from './setup.js';

const program = command('eval', 'Measure answer quality on a question set (our format or SQuAD).')
  .requiredOption('--dataset <file>', 'seed-qa.json-style questions, or a SQuAD file')
  .option('--index <dir>', 'index to ask for our format (default: INDEX_DIR)')
  .option('--json', 'print the figures as one JSON object')
  .option('--show-misses', 'list the questions not answered in the first three quotes')
  .parse();

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

runCli(async () => {
  const opts = program.opts<{ dataset: string; index?: string; json?: boolean; showMisses?: boolean }>();
  const config = loadConfig();
  const embedder = await openEmbedder(config);
  const { summary, records } = await evaluateFile(resolve(opts.dataset), {
    embedder,
    engine: await openEngine(opts.index ? { ...config, indexDir: resolve(opts.index) } : config),
    chunking: config.chunking,
    minSimilarity: config.minSimilarity,
  });
  if (opts.showMisses) {
    for (const { question, answer } of records.filter((r) => isMiss(r) && !r.answer.unsupportedLanguage)) {
      process.stderr.write(`MISS ${question.id} ${question.question}\n  gold: ${question.answers.join(' | ')}\n`);
      for (const q of answer.quotes) process.stderr.write(`  - [${q.articleId}] ${q.text.slice(0, 160)}\n`);
      if (!answer.found)
        process.stderr.write(`  (${answer.unsupportedLanguage ? 'language not read' : 'not found'})\n`);
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ dataset: opts.dataset, model: embedder.modelId, ...summary })}\n`);
    return;
  }
  process.stdout.write(
    `${[
      `Dataset        ${opts.dataset} (${summary.questions} questions, ${summary.answerable} answerable${summary.unreadable ? `, ${summary.unreadable} in a language the model cannot read, counted apart` : ''})`,
      `Model          ${embedder.modelId}`,
      `hit@1          ${pct(summary.hitAt1)}`,
      `hit@3          ${pct(summary.hitAt3)}`,
      `MRR            ${summary.mrr.toFixed(3)}`,
      `not-found acc. ${pct(summary.notFoundAccuracy)} (false not-found on answerable: ${pct(summary.falseNotFound)})`,
      `quotes         ${summary.quotesPerAnswer.toFixed(2)} per found answer, ${summary.otherArticleQuotes.toFixed(2)} of them from an article without the answer; first quote ${summary.firstQuoteChars} characters on average`,
      `combined       lowest answered ${num(summary.combined.lowestFound)}, highest unanswerable ${num(summary.combined.highestNoAnswer)} (coverage + similarity; see NotFoundOptions)`,
      `latency        p50 ${summary.latencyMs.p50} ms, p95 ${summary.latencyMs.p95} ms`,
    ].join('\n')}\n`,
  );
});

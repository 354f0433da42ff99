/**
 * npm run ask -- "السؤال" [--index DIR] [-k N] [--json] [--batch FILE]
 *
 * Answers questions from the terminal with the same quotes the bot sends.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import { loadAnswerer } from '../answering/load.js';
import { answerJson, formatAnswerText } from '../answering/format-text.js';
import { runCli, UsageError } from './run.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError('expected a whole number from 1 to 50');
  return n;
}

const program = new Command('ask')
  .description('Answer a question with quoted sentences from the articles.')
  .argument('[question...]', 'the question, in Arabic or English')
  .option('--index <dir>', 'index folder (default: INDEX_DIR or embeddings/)')
  .option('-k, --count <n>', 'number of quotes', positiveInt)
  .option('--json', 'print {question, found, answers} as JSON (one line per question)')
  .option('--batch <file>', 'answer every line of FILE (one question a line)')
  .parse();

runCli(async () => {
  const opts = program.opts<{ index?: string; count?: number; json?: boolean; batch?: string }>();
  const config = loadConfig();
  const questions = opts.batch
    ? (await readFile(resolve(opts.batch), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean)
    : [program.args.join(' ').trim()];
  if (questions.length === 0 || questions.some((q) => q === '')) {
    throw new UsageError('Ask a question: npm run ask -- "ما موقف روسيا من قضية تايوان؟"');
  }
  const answerer = await loadAnswerer(config, opts.index ? resolve(opts.index) : config.indexDir);
  const count = opts.count ?? config.answerCount;
  for (const [i, question] of questions.entries()) {
    const answer = await answerer.ask(question, { count });
    if (opts.json) process.stdout.write(`${JSON.stringify(answerJson(answer))}\n`);
    else process.stdout.write(`${questions.length > 1 ? `${i > 0 ? '\n' : ''}؟ ${question}\n` : ''}${formatAnswerText(answer)}`);
  }
});

/**
 * npm run ask -- "السؤال" [--index DIR] [-k N] [--json] [--batch FILE]
 *
 * Answers questions from the terminal with the same quotes the bot sends.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { AnswerService } from '../answering/service.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { openEngine } from '../search/open-engine.js';
import { readTextFile } from '../text-file.js';
import { command } from './command.js';
import { answerJson, formatAnswerText } from './format-text.js';
import { runCli } from './run.js';
import { openEmbedder } from './setup.js';

/** The most quotes one question may ask for. */
const MAX_COUNT = 50;

function quoteCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_COUNT}`);
  return n;
}

const program = command('ask', 'Answer a question with quoted sentences from the articles.')
  .argument('[question...]', 'the question, in Arabic (or another language the model reads)')
  .option('--index <dir>', 'index folder (default: INDEX_DIR or embeddings/)')
  .option('-k, --count <n>', 'number of quotes', quoteCount)
  .option('--json', 'print {question, found, answers} as JSON (one line per question)')
  .option('--batch <file>', 'answer every line of FILE (one question a line)')
  .parse();

runCli(async () => {
  const opts = program.opts<{ index?: string; count?: number; json?: boolean; batch?: string }>();
  const config = loadConfig();
  const questions = opts.batch
    ? (await readTextFile(resolve(opts.batch), 'the question list'))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [program.args.join(' ').trim()];
  if (questions.length === 0 || questions.some((q) => q === '')) {
    throw new UsageError('Ask a question: npm run ask -- "ما موقف روسيا من قضية تايوان؟"');
  }
  const service = await AnswerService.open({
    // One question: warming a postgres replica's postings cache would cost more than it saves.
    engine: await openEngine(opts.index ? { ...config, indexDir: resolve(opts.index) } : config, {
      warm: questions.length > 1,
    }),
    embedder: await openEmbedder(config),
    minSimilarity: config.minSimilarity,
    onFallback: (damage, version) =>
      process.stderr.write(`Warning: ${damage.message} Answering from ${version} meanwhile.\n`),
  });
  const count = opts.count ?? config.answerCount;
  try {
    for (const [i, question] of questions.entries()) {
      const answer = await service.ask(question, { count });
      if (opts.json) process.stdout.write(`${JSON.stringify(answerJson(answer))}\n`);
      else {
        const heading = questions.length > 1 ? `${i > 0 ? '\n' : ''}؟ ${question}\n` : '';
        process.stdout.write(`${heading}${formatAnswerText(answer)}`);
      }
    }
  } finally {
    // Stops what the index reads in the background for later questions (the vectors' copies):
    // the process ends once the answers are out.
    service.close();
  }
});

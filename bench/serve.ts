/**
 * node --import tsx bench/serve.ts INDEX_DIR
 *
 * A serving process: opens the index as the bot does, waits for the copies it
 * reads in the background (copiesSeconds), answers the benchmark questions
 * warm, and prints one JSON line: time to open, warm latencies, memory while
 * serving, and the seed questions' quotes (to compare builds).
 */
import { AnswerService } from '../src/answering/service.js';
import { loadConfig } from '../src/config.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { readDataset } from '../src/eval/datasets.js';
import { LocalEngine } from '../src/search/local/engine.js';
import type { LocalIndex } from '../src/search/local/local-index.js';
import { OFF_TOPIC, SEED_QA } from '../test/helpers/paths.js';
import { benchWarm } from './answering.js';

const [indexDir] = process.argv.slice(2);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const config = loadConfig();
const embedder = await createEmbedder(config.embedding);
let started = performance.now();
const service = await AnswerService.open({ engine: LocalEngine.fromFolder(indexDir), embedder });
const openSeconds = (performance.now() - started) / 1000;
const rssOpen = mib(process.memoryUsage().rss);
// Warm means as fast as the index gets: the sentence vectors' half-precision copies are read in the background.
await (service.index as LocalIndex).copiesRead();
const copiesSeconds = (performance.now() - started) / 1000;
started = performance.now();
const warm = await benchWarm(service);
const seedQuestions = [...(await readDataset(SEED_QA)).questions, ...(await readDataset(OFF_TOPIC)).questions];
const seedAnswers: [string, boolean, string[]][] = [];
for (const q of seedQuestions) {
  const answer = await service.ask(q.question, { count: 3 });
  seedAnswers.push([q.id, answer.found, answer.quotes.map((x) => x.text)]);
}
const usage = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({
    openSeconds,
    copiesSeconds,
    warm,
    memoryMiB: {
      afterOpen: rssOpen,
      serving: mib(usage.rss),
      heap: mib(usage.heapUsed),
      external: mib(usage.external),
    },
    maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    seedAnswers,
  })}\n`,
);
process.exit(0);

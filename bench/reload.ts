/**
 * node --import tsx bench/reload.ts INDEX_DIR PREVIOUS_BUILD_DIR
 *
 * What the bot's hot reload costs after an incremental build: opens the
 * previous build, then the live one taking over what they share (as
 * AnswerService.reload does), then the live one from scratch; prints one
 * JSON line: seconds of each, and the longest the event loop was blocked
 * during the reload (what other users' updates wait meanwhile).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LocalIndex, openIndex } from '../src/search/local/local-index.js';
import { round } from './stats.js';

const [indexDir, previousDir] = process.argv.slice(2);
const seconds = (since: number) => round((performance.now() - since) / 1000);

let started = performance.now();
const previous = await LocalIndex.open(previousDir);
const previousOpenSeconds = seconds(started);

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
started = performance.now();
const reloaded = await openIndex(indexDir, { reuse: previous });
const reloadSeconds = seconds(started);
delay.disable();

started = performance.now();
const fresh = await openIndex(indexDir);
const freshOpenSeconds = seconds(started);
process.stdout.write(
  `${JSON.stringify({
    previousOpenSeconds,
    reloadSeconds,
    reloadMaxBlockedMs: round(delay.max / 1e6, 1),
    freshOpenSeconds,
    delta: reloaded.manifest.delta ?? null,
    sentences: [reloaded.sentenceCount, fresh.sentenceCount],
  })}\n`,
);
process.exit(0);

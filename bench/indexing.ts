import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../src/embedding/embedder.js';
import { buildIndex } from '../src/search/local/build.js';
import { arcdCorpus, seedCorpus, syntheticCorpus } from './corpora.js';
import { type Measure, measure, repeat, round } from './stats.js';

const CHUNKING = { maxChars: 600, overlap: 1 };

function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `bench-${name}-`));
}

export interface BuildFigures {
  corpus: string;
  articles: number;
  chunks: number;
  passages: number;
  seconds: Measure;
  chunksPerSecond: number;
  passagesPerSecond: number;
}

async function fullBuilds(name: string, corpusDir: string, embedder: Embedder, runs: number): Promise<BuildFigures> {
  let report = { articles: 0, chunks: 0, passagesEmbedded: 0 };
  const seconds = await repeat(runs, async () => {
    const out = scratch(`${name}-index`);
    const started = performance.now();
    report = await buildIndex({ corpusDir, indexDir: out, embedder, chunking: CHUNKING, full: true });
    const s = (performance.now() - started) / 1000;
    rmSync(out, { recursive: true, force: true });
    return s;
  });
  return {
    corpus: name,
    articles: report.articles,
    chunks: report.chunks,
    passages: report.passagesEmbedded,
    seconds,
    chunksPerSecond: round(report.chunks / seconds.median, 1),
    passagesPerSecond: round(report.passagesEmbedded / seconds.median, 1),
  };
}

export async function benchBuilds(embedder: Embedder, { large }: { large: number }) {
  const seed = seedCorpus(join(scratch('seed'), 'corpus'));
  const arcd = await arcdCorpus(join(scratch('arcd'), 'corpus'));
  const synthetic = await syntheticCorpus(join(scratch('syn'), 'corpus'), large);
  return [
    await fullBuilds('seed (5 articles)', seed, embedder, 5),
    await fullBuilds('ARCD (77 articles)', arcd, embedder, 5),
    await fullBuilds(`synthetic (${large} articles)`, synthetic, embedder, 1),
  ];
}

/** Passages embedded per second for several batch sizes, on the same 1,000 passages. */
export async function benchBatchSizes(make: (batchSize: number) => Promise<Embedder>) {
  const corpus = await syntheticCorpus(join(scratch('batch'), 'corpus'), 170);
  const texts = readdirSync(corpus)
    .flatMap((f) => readFileSync(join(corpus, f), 'utf8').split('\n'))
    .filter((line) => line.length > 20)
    .slice(0, 1000);
  const rows = [];
  for (const batch of [1, 8, 32, 128]) {
    const e = await make(batch);
    const seconds = await repeat(3, async () => {
      const started = performance.now();
      await e.embedPassages(texts);
      return (performance.now() - started) / 1000;
    });
    rows.push({
      batchSize: batch,
      passages: texts.length,
      seconds,
      passagesPerSecond: round(texts.length / seconds.median, 1),
    });
  }
  return rows;
}

/** One changed article among 1,000: incremental rebuild against the full build. */
export async function benchIncremental(embedder: Embedder) {
  const corpus = await syntheticCorpus(join(scratch('inc'), 'corpus'), 1000);
  const out = scratch('inc-index');
  const full: number[] = [];
  const incremental: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    await buildIndex({ corpusDir: corpus, indexDir: out, embedder, chunking: CHUNKING, full: true });
    full.push((performance.now() - started) / 1000);
    appendFileSync(join(corpus, 'syn-000007.txt'), `وأضاف المتحدث في التحديث رقم ${run} أن المحادثات مستمرة.\n`);
    started = performance.now();
    const report = await buildIndex({ corpusDir: corpus, indexDir: out, embedder, chunking: CHUNKING });
    incremental.push((performance.now() - started) / 1000);
    if (report.embedded !== 1) throw new Error(`expected one article embedded, got ${report.embedded}`);
  }
  rmSync(out, { recursive: true, force: true });
  const f = measure(full);
  const i = measure(incremental);
  return { articles: 1000, fullSeconds: f, incrementalSeconds: i, share: round(i.median / f.median, 4) };
}

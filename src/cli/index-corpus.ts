/**
 * npm run index [-- --corpus DIR --out DIR --model ID --full --json]
 *
 * Rebuilds the article index: articles → sentences and chunks → vectors → HNSW.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { createEmbedder } from '../embedding/embedder.js';
import { buildIndex } from '../index/build.js';
import { runCli } from './run.js';

const program = new Command('index')
  .description('Build the search index of the articles in the corpus folder.')
  .option('--corpus <dir>', 'folder of .txt/.md articles (default: CORPUS_DIR or corpus/)')
  .option('--out <dir>', 'index folder (default: INDEX_DIR or embeddings/)')
  .option('--model <id>', 'embedding model (default: EMBEDDING_MODEL)')
  .option('--full', 'embed every article again instead of reusing unchanged ones')
  .option('--json', 'end with one JSON line of figures on standard output')
  .parse();

runCli(async () => {
  const opts = program.opts<{ corpus?: string; out?: string; model?: string; full?: boolean; json?: boolean }>();
  const config = loadConfig();
  const corpusDir = opts.corpus ? resolve(opts.corpus) : config.corpusDir;
  const indexDir = opts.out ? resolve(opts.out) : config.indexDir;
  const embedder = await createEmbedder({ ...config.embedding, model: opts.model ?? config.embedding.model });

  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'Embedding [{bar}] {value}/{total} passages | {eta_formatted} left', stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  const report = await buildIndex({
    corpusDir,
    indexDir,
    embedder,
    chunking: config.chunking,
    full: opts.full,
    onSkip: ({ file, reason }) => process.stderr.write(`Warning: skipped ${file}: ${reason}\n`),
    onProgress: (done, total) => {
      if (!bar || total === 0) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  }).finally(() => bar?.stop());

  const summary =
    `Indexed ${report.articles} articles (${report.sentences} sentences, ${report.chunks} chunks) ` +
    `with ${report.model} in ${report.seconds.toFixed(1)} s: ${report.embedded} embedded, ${report.reused} reused` +
    `${report.removed ? `, ${report.removed} removed` : ''}${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}` +
    ` → ${indexDir}`;
  if (opts.json) {
    process.stderr.write(`${summary}\n`);
    const { buildDir: _dir, ...figures } = report;
    process.stdout.write(`${JSON.stringify({ ...figures, indexDir })}\n`);
  } else {
    process.stdout.write(`${summary}\n`);
  }
});

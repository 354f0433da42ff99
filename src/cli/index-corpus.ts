/**
 * npm run index [-- --corpus DIR | --no-corpus] [--out DIR --model ID --full --allow-shrink --json]
 *
 * Rebuilds the article index: articles → sentences and chunks → vectors → HNSW and BM25.
 * With an engine that keeps its own articles (postgres), `--no-corpus`, or no corpus folder at all,
 * builds from what the engine holds: a replica with no corpus folder publishes what ingestion stored.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import type { EngineBuildReport } from '../search/engine.js';
import { openEngine } from '../search/open-engine.js';
import { command } from './command.js';
import { progressBar } from './progress.js';
import { runCli } from './run.js';
import { EMBEDDING_BAR, openEmbedder } from './setup.js';

const program = command('index', 'Build the search index of the articles in the corpus folder.')
  .option('--corpus <dir>', 'folder of .txt/.md articles (default: CORPUS_DIR or corpus/)')
  .option(
    '--no-corpus',
    'postgres engine: read no corpus folder, publish what the database holds (articles stored for the next build); also what happens when the corpus folder does not exist',
  )
  .option('--out <dir>', 'index folder of the local engine (default: INDEX_DIR or embeddings/)')
  .option('--model <id>', 'embedding model (default: EMBEDDING_MODEL)')
  .option('--full', 'embed every article again instead of reusing unchanged ones')
  .option('--allow-shrink', 'publish even if the build would remove more than half of the published articles')
  .option('--json', 'end with one JSON line of figures on standard output')
  .parse();

function summary(report: EngineBuildReport, location: string): string {
  return (
    `Indexed ${report.articles} articles (${report.sentences} sentences, ${report.chunks} chunks) ` +
    `with ${report.model} in ${report.seconds.toFixed(1)} s: ${report.embedded} embedded, ${report.reused} reused` +
    `${report.removed ? `, ${report.removed} removed` : ''}${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}` +
    `${report.note ? ` (${report.note})` : ''}` +
    ` → ${location}`
  );
}

/**
 * The corpus folder to read: the one given, or CORPUS_DIR; none with `--no-corpus`, or when CORPUS_DIR does not
 * exist and the engine keeps its own articles (it then builds from those).
 */
function corpusToRead(given: string | false | undefined, configured: string, engineHasArchive: boolean) {
  if (given === false) {
    if (!engineHasArchive)
      throw new UsageError('--no-corpus needs an engine that keeps its own articles (SEARCH_BACKEND=postgres).');
    return undefined;
  }
  if (given) return resolve(given);
  return engineHasArchive && !existsSync(configured) ? undefined : configured;
}

runCli(async () => {
  const opts = program.opts<{
    corpus?: string | false;
    out?: string;
    model?: string;
    full?: boolean;
    allowShrink?: boolean;
    json?: boolean;
  }>();
  const config = loadConfig();
  const engine = await openEngine(opts.out ? { ...config, indexDir: resolve(opts.out) } : config);
  const corpusDir = corpusToRead(opts.corpus, config.corpusDir, engine.archive !== undefined);
  if (!corpusDir)
    process.stderr.write(
      `${opts.corpus === false ? 'No corpus folder read' : `No corpus folder (${config.corpusDir})`}: building from what the database holds.\n`,
    );
  const embedder = await openEmbedder(config, opts.model);

  const bar = progressBar(EMBEDDING_BAR);
  const report = await engine
    .build({
      corpusDir,
      embedder,
      chunking: config.chunking,
      full: opts.full,
      allowShrink: opts.allowShrink,
      maxArticleBytes: config.maxArticleBytes,
      onSkip: ({ file, reason }) => process.stderr.write(`Warning: skipped ${file}: ${reason}\n`),
      onProgress: bar.update,
    })
    .finally(async () => {
      bar.stop();
      await engine.close();
    });

  if (report.fullRebuildReason) process.stderr.write(`Note: built everything again: ${report.fullRebuildReason}.\n`);
  if (opts.json) {
    process.stderr.write(`${summary(report, engine.location)}\n`);
    // An engine's own figures are printed too; where its files are is `indexDir`.
    const { buildDir: _dir, ...figures } = report as EngineBuildReport & { buildDir?: string };
    process.stdout.write(`${JSON.stringify({ ...figures, indexDir: engine.location })}\n`);
  } else {
    process.stdout.write(`${summary(report, engine.location)}\n`);
  }
});

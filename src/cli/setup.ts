import { AnswerService, ModelMismatchError, type ServiceOptions } from '../answering/service.js';
import type { Config } from '../config.js';
import { createEmbedder, type Embedder } from '../embedding/embedder.js';
import type { Logger } from '../log.js';
import type { SearchEngine } from '../search/engine.js';
import { openEngine } from '../search/open-engine.js';
import { downloadProgress, progressBar } from './progress.js';

/** The embedding progress bar of every build a command runs (npm run index, npm start's first build). */
export const EMBEDDING_BAR = 'Embedding [{bar}] {value}/{total} passages | {eta_formatted} left';

/** The configured model, downloaded first (once, with a progress bar) when it is on no disk. */
export async function openEmbedder(config: Config, model = config.embedding.model): Promise<Embedder> {
  const progress = downloadProgress();
  try {
    return await createEmbedder({ ...config.embedding, model, onDownload: progress.onDownload });
  } finally {
    progress.stop();
  }
}

/**
 * The answer service over the engine's live build (SEARCH_BACKEND), building
 * it first when there is none or it cannot serve the configured model
 * (another model, another format, damaged with no intact build to fall back
 * on): what `npm start` needs to run on a fresh machine. A damaged live
 * build with an intact one before it is logged, and the intact one answers.
 * The engine is the service's (`service.engine`): editors' changes build with it.
 */
export async function openOrBuild(
  config: Config,
  embedder: Embedder,
  logger: Logger,
  options: Omit<ServiceOptions, 'engine' | 'embedder'> & { engine?: SearchEngine } = {},
): Promise<AnswerService> {
  const engine = options.engine ?? (await openEngine(config));
  const serviceOptions: ServiceOptions = {
    engine,
    embedder,
    minSimilarity: config.minSimilarity,
    onFallback: (damage, version) =>
      logger.error({ version }, `${damage.message} Answering from ${version} meanwhile.`),
    ...options,
  };
  try {
    return await AnswerService.open(serviceOptions);
  } catch (error) {
    if (!(engine.needsBuild(error) || error instanceof ModelMismatchError)) throw error;
    logger.info({ corpus: config.corpusDir, reason: (error as Error).message }, 'building the index');
  }
  const bar = progressBar(EMBEDDING_BAR);
  const report = await engine
    .build({
      corpusDir: config.corpusDir,
      embedder,
      chunking: config.chunking,
      maxArticleBytes: config.maxArticleBytes,
      onSkip: ({ file, reason }) => logger.warn({ file, reason }, 'article skipped'),
      onProgress: bar.update,
    })
    .finally(bar.stop);
  if (report.fullRebuildReason) logger.warn({ reason: report.fullRebuildReason }, 'built everything again');
  logger.info({ articles: report.articles, sentences: report.sentences, seconds: report.seconds }, 'index built');
  return AnswerService.open(serviceOptions);
}

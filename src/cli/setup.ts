import { AnswerService, ModelMismatchError, type ServiceOptions } from '../answering/service.js';
import type { Config } from '../config.js';
import { createEmbedder, type Embedder } from '../embedding/embedder.js';
import type { Logger } from '../log.js';
import { buildIndex } from '../search/local/build.js';
import { IndexFormatError } from '../search/local/local-index.js';
import { IndexNotFoundError } from '../search/local/location.js';
import { IndexDamagedError } from '../search/local/verify.js';
import { downloadProgress } from './progress.js';

/** The configured model, downloaded first (once, with a progress bar) when it is on no disk. */
export async function openEmbedder(config: Config, model = config.embedding.model): Promise<Embedder> {
  const progress = downloadProgress();
  try {
    return await createEmbedder({ ...config.embedding, model, onDownload: progress.onDownload });
  } finally {
    progress.stop();
  }
}

/** Errors that mean "build the index, then it will open". */
function needsBuild(error: unknown): boolean {
  return (
    error instanceof IndexNotFoundError ||
    error instanceof ModelMismatchError ||
    error instanceof IndexFormatError ||
    error instanceof IndexDamagedError
  );
}

/**
 * The answer service over the live index, building the index first when
 * there is none or it cannot serve the configured model (another model,
 * another format, damaged with no intact build to fall back on): what
 * `npm start` needs to run on a fresh machine. A damaged live build with an
 * intact one before it is logged, and the intact one answers.
 */
export async function openOrBuild(
  config: Config,
  embedder: Embedder,
  logger: Logger,
  options: Omit<ServiceOptions, 'indexDir' | 'embedder'> = {},
): Promise<AnswerService> {
  const serviceOptions: ServiceOptions = {
    indexDir: config.indexDir,
    embedder,
    minSimilarity: config.minSimilarity,
    onFallback: (damage, version) =>
      logger.error({ version }, `${damage.message} Answering from ${version} meanwhile.`),
    ...options,
  };
  try {
    return await AnswerService.open(serviceOptions);
  } catch (error) {
    if (!needsBuild(error)) throw error;
    logger.info({ corpus: config.corpusDir, reason: (error as Error).message }, 'building the index');
  }
  const report = await buildIndex({
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    embedder,
    chunking: config.chunking,
    maxArticleBytes: config.maxArticleBytes,
    onSkip: ({ file, reason }) => logger.warn({ file, reason }, 'article skipped'),
  });
  if (report.fullRebuildReason) logger.warn({ reason: report.fullRebuildReason }, 'built everything again');
  logger.info({ articles: report.articles, sentences: report.sentences, seconds: report.seconds }, 'index built');
  return AnswerService.open(serviceOptions);
}

import { basename, extname } from 'node:path';
import type { ArticleMeta } from '../corpus/article.js';
import type { ChunkOptions } from '../corpus/chunks.js';
import { listCorpus, type SkippedFile } from '../corpus/load.js';
import {
  ArticleExistsError,
  ArticleNotFoundError,
  type CheckedArticle,
  checkSubmission,
  LastArticleError,
  removeArticle,
  type Submission,
  saveArticle,
} from '../corpus/submit.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import { type ArticleStore, articleStoreFor } from '../ingest/store.js';
import type { ArchiveBuildOptions, EngineBuildReport } from '../search/engine.js';
import type { AnswerService } from './service.js';

export interface ArchiveOptions {
  corpusDir: string;
  /** The model the live index was built with (the service's). */
  embedder: Embedder;
  chunking: ChunkOptions;
  /** MAX_ARTICLE_BYTES: larger articles are refused (and skipped by the indexer). */
  maxArticleBytes: number;
  /** The live answers, switched to each new build as soon as it is published; builds are made by its engine. */
  service: AnswerService;
}

/** What a rebuild did, for the editor who asked for it. */
export interface BuildFigures {
  /** Articles in the new index. */
  articles: number;
  /** Articles that were not in the previous index. */
  added: number;
  /** Articles that were, but read and embedded again (their file changed). */
  changed: number;
  /** Articles of the previous index that are gone. */
  removed: number;
  seconds: number;
  /** Files of the corpus folder that were not indexed, and why. */
  skipped: SkippedFile[];
  /** Whether the service now answers from the new build (false: it kept the old one; see its onReloadError). */
  live: boolean;
}

/** Called as passages are embedded: `done` of `total`. */
export type BuildProgress = (done: number, total: number) => void;

/** A change to the archive is under way in this process: one at a time. */
export class ArchiveBusyError extends UserError {
  override readonly name = 'ArchiveBusyError';

  constructor() {
    super('The archive is being changed or rebuilt; try again when that is done.');
  }
}

/** Articles listed per page while the live index's ids are read. */
const ID_PAGE = 1000;

/**
 * The editors' side of the archive, in the running bot: add and remove
 * article files and rebuild the index in place (incrementally), then switch
 * the live answers to the new build. One change at a time per process; the
 * engine's build lock keeps other processes (npm run index) out, and their
 * BuildLockedError reaches the caller. Questions go on being answered
 * from the previous build while a new one is made.
 */
export class ArchiveService {
  private running = false;

  constructor(private readonly options: ArchiveOptions) {}

  /** Whether a change or rebuild is under way. */
  get busy(): boolean {
    return this.running;
  }

  get maxArticleBytes(): number {
    return this.options.maxArticleBytes;
  }

  /**
   * Rebuilds the index from the corpus folder as it is.
   *
   * @throws ArchiveBusyError, BuildLockedError, the engine's write errors, CorpusError,
   *   IndexShrinkError (more than half of the articles would go; `allowShrink` publishes it)
   */
  rebuild(onProgress?: BuildProgress, { allowShrink = false } = {}): Promise<BuildFigures> {
    return this.exclusive(() => this.build(onProgress, { allowShrink }));
  }

  /**
   * Checks an article, saves it into the corpus folder and rebuilds the index;
   * or, with an engine that keeps the articles itself (SearchEngine.archive),
   * stores it there in one build. `onSaved` is called once the file is
   * written (or the article checked), before the (longer) rebuild.
   *
   * @throws ArchiveBusyError, ArticleRejectedError, ArticleExistsError (nothing written);
   *   then the errors of rebuild (the file stays: the next rebuild indexes it)
   */
  add(
    submission: Submission,
    {
      onSaved,
      onProgress,
    }: { onSaved?: (checked: CheckedArticle) => void | Promise<void>; onProgress?: BuildProgress } = {},
  ): Promise<{ article: ArticleMeta; figures: BuildFigures }> {
    return this.exclusive(async () => {
      const checked = checkSubmission(submission, { maxBytes: this.options.maxArticleBytes });
      const { archive } = this.options.service.engine;
      const { id, title, outlet, date, url } = checked.article;
      const article = { id, title, outlet, date, ...(url ? { url } : {}) };
      if (archive) {
        // The engine keeps the articles (the database): stored and published in one build.
        if (await this.options.service.article(checked.id)) throw new ArticleExistsError(checked.id);
        await onSaved?.(checked);
        const { file, bytes } = checked;
        return {
          article,
          figures: await this.build(onProgress, { change: (options) => archive.add({ id, file, bytes }, options) }),
        };
      }
      await saveArticle(this.options.corpusDir, checked);
      await onSaved?.(checked);
      return { article, figures: await this.build(onProgress) };
    });
  }

  /**
   * Deletes an article's file and rebuilds the index without it; or takes it
   * out of an engine that keeps the articles itself, in one build.
   *
   * @throws ArchiveBusyError, ArticleNotFoundError, LastArticleError (nothing deleted);
   *   then the errors of rebuild
   */
  remove(
    id: string,
    { onRemoved, onProgress }: { onRemoved?: () => void | Promise<void>; onProgress?: BuildProgress } = {},
  ): Promise<{ article: ArticleMeta; figures: BuildFigures }> {
    return this.exclusive(async () => {
      const indexed = await this.options.service.article(id);
      const { archive } = this.options.service.engine;
      if (archive) {
        // The engine keeps the articles (the database): taken out and published in one build.
        if (!indexed) throw new ArticleNotFoundError(id);
        if ((await this.options.service.articles({ offset: 0, limit: 1 })).total <= 1) throw new LastArticleError(id);
        await onRemoved?.();
        const figures = await this.build(onProgress, { change: (options) => archive.remove(id, options) });
        return { article: { id, title: indexed.title, outlet: indexed.outlet, date: indexed.date }, figures };
      }
      const file = await removeArticle(this.options.corpusDir, id);
      await onRemoved?.();
      const article: ArticleMeta = indexed
        ? { id, title: indexed.title, outlet: indexed.outlet, date: indexed.date }
        : { id, title: basename(file, extname(file)), outlet: '', date: '' };
      return { article, figures: await this.build(onProgress) };
    });
  }

  /**
   * Runs a change made elsewhere (articles from the web, stored by src/ingest
   * into the store the engine keeps its articles in: the corpus folder, or
   * the database), then indexes what was stored when `changed` says
   * something was: one change at a time, as for add and remove.
   *
   * @throws ArchiveBusyError; then the errors of `work` (no rebuild) or of rebuild
   */
  apply<T>(
    work: (store: ArticleStore) => Promise<T>,
    { changed, onProgress }: { changed: (result: T) => boolean; onProgress?: BuildProgress },
  ): Promise<{ result: T; figures?: BuildFigures }> {
    return this.exclusive(async () => {
      const { corpusDir, maxArticleBytes, service } = this.options;
      const store = articleStoreFor(service.engine, { corpusDir, maxBytes: maxArticleBytes });
      const result = await work(store);
      const figures = changed(result) ? await this.build(onProgress, { change: (o) => store.commit(o) }) : undefined;
      return { result, figures };
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.running) throw new ArchiveBusyError();
    this.running = true;
    try {
      return await work();
    } finally {
      this.running = false;
    }
  }

  /** The ids of the articles the service answers from now. */
  private async liveIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let offset = 0; ; offset += ID_PAGE) {
      const page = await this.options.service.articles({ offset, limit: ID_PAGE });
      for (const article of page.items) ids.add(article.id);
      if (page.items.length === 0 || offset + ID_PAGE >= page.total) return ids;
    }
  }

  /**
   * Builds (by default the corpus folder; `change`: an engine archive's change), switches to the build, and counts.
   * `allowShrink` publishes a corpus build that would remove more than half of the articles.
   */
  private async build(
    onProgress?: BuildProgress,
    {
      allowShrink = false,
      change,
    }: { allowShrink?: boolean; change?: (options: ArchiveBuildOptions) => Promise<EngineBuildReport> } = {},
  ): Promise<BuildFigures> {
    const { corpusDir, embedder, chunking, maxArticleBytes, service } = this.options;
    const before = await this.liveIds();
    const listing = change ? undefined : await listCorpus(corpusDir, { maxBytes: maxArticleBytes });
    const report = change
      ? await change({ embedder, chunking, maxArticleBytes, onProgress })
      : await service.engine.build({ corpusDir, embedder, chunking, maxArticleBytes, onProgress, allowShrink });
    await service.reload();
    // A reload already under way (the watcher) may have read the live version before the publish.
    if (service.version !== report.version) await service.reload();
    const skipped = new Set(report.skipped.map((s) => s.file));
    // The articles now live: as the engine answers, or as the folder lists them when it kept the old build.
    const after =
      service.version === report.version || !listing
        ? await this.liveIds()
        : new Set(listing.files.filter((f) => !skipped.has(f)).map((f) => basename(f, extname(f))));
    const added = [...after].filter((id) => !before.has(id)).length;
    return {
      articles: report.articles,
      added,
      changed: Math.max(0, report.embedded - added),
      // Not report.removed: that counts the changed articles too (their old passages are removed).
      removed: [...before].filter((id) => !after.has(id)).length,
      seconds: report.seconds,
      skipped: report.skipped,
      live: service.version === report.version,
    };
  }
}

// What the bot needs to tell an editor why a change was refused, without reaching past this module.
export {
  ArticleExistsError,
  ArticleNotFoundError,
  ArticleRejectedError,
  LastArticleError,
  type RejectionReason,
} from '../corpus/submit.js';
export { BuildLockedError, IndexShrinkError } from '../search/engine.js';

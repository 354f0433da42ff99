import { unwatchFile, watchFile } from 'node:fs';
import { basename, join } from 'node:path';
import type { ArticleMeta } from '../corpus/article.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import { type LocalIndex, openIndex } from '../search/local/local-index.js';
import { CURRENT_FILE, currentBuildDir } from '../search/local/location.js';
import type { IndexDamagedError } from '../search/local/verify.js';
import type { IndexedArticle } from '../search/search-index.js';
import { type Answer, Answerer, type AnswerTimings, type AskOptions } from './answerer.js';
import { type AnswerOptions, answerOptionsFor } from './options.js';

export type { ArticleMeta, IndexedArticle };

/** The index was built with another model than the configured one: their vectors cannot be compared. */
export class ModelMismatchError extends UserError {
  override readonly name = 'ModelMismatchError';

  constructor(
    readonly indexDir: string,
    readonly indexModel: string,
    readonly configuredModel: string,
  ) {
    super(
      `The index in ${indexDir} was built with "${indexModel}", but EMBEDDING_MODEL is "${configuredModel}". ` +
        "Rebuild it with: npm run index (or set EMBEDDING_MODEL to the index's model).",
    );
  }
}

export interface ServiceOptions {
  /** The index folder (its live build is opened, and followed when watched). */
  indexDir: string;
  /** The model that embeds questions: the one the index was built with. */
  embedder: Embedder;
  /** See MIN_SIMILARITY; default: per model (answering/options.ts). */
  minSimilarity?: number;
  /** Answer options instead of the model's calibrated ones (for tuning). */
  answerOptions?: AnswerOptions;
  /** Called when the service has switched to a newly published build. */
  onReload?: (version: string) => void;
  /** Called when a newly published build could not be opened; the service keeps the one it has. */
  onReloadError?: (error: Error) => void;
  /**
   * Called when, at open, the live build is damaged and the newest intact
   * build answers instead. Without it, a damaged live build fails the open.
   */
  onFallback?: (damage: IndexDamagedError, version: string) => void;
}

/** How often the index folder's CURRENT pointer is checked for a new build. */
const WATCH_INTERVAL_MS = 1000;

/**
 * Answers questions from the live index: the one way the bot, `npm run ask`
 * and `npm run eval` ask. When `npm run index` publishes a new build, a
 * watching service opens it and switches over; questions already under way
 * finish on the index they started with, so none fails during the switch.
 */
export class AnswerService {
  private current: Answerer;
  private reloading: Promise<void> | undefined;
  private watching = false;
  private closed = false;
  /** Questions under way per answerer: a replaced (or closed) index is closed when its last one is done. */
  private readonly inFlight = new Map<Answerer, number>();

  private constructor(
    private readonly options: ServiceOptions,
    answerer: Answerer,
  ) {
    this.current = answerer;
  }

  /**
   * Opens the live build of `options.indexDir`.
   *
   * @throws IndexNotFoundError, IndexDamagedError, IndexFormatError, ModelMismatchError
   */
  static async open(options: ServiceOptions): Promise<AnswerService> {
    const { onFallback } = options;
    const fallback = onFallback && ((damage: IndexDamagedError, dir: string) => onFallback(damage, basename(dir)));
    return new AnswerService(options, await AnswerService.answererFor(options, fallback));
  }

  private static async answererFor(
    options: ServiceOptions,
    onFallback?: (damage: IndexDamagedError, dir: string) => void,
    /** The index in use: the new build's base is taken over from it when they share it. */
    reuse?: LocalIndex,
  ): Promise<Answerer> {
    const index = await openIndex(options.indexDir, {
      onFallback,
      reuse,
    });
    if (index.model !== options.embedder.modelId) {
      throw new ModelMismatchError(options.indexDir, index.model, options.embedder.modelId);
    }
    const answerOptions =
      options.answerOptions ?? answerOptionsFor(index.model, { minSimilarity: options.minSimilarity });
    return new Answerer(index, options.embedder, answerOptions);
  }

  /** The build answering now. */
  get version(): string {
    return this.current.index.version;
  }

  /** The model that embeds questions (its id and the languages it reads). */
  get model(): Pick<Embedder, 'modelId' | 'languages'> {
    return this.options.embedder;
  }

  async ask(question: string, options?: AskOptions, timings?: AnswerTimings): Promise<Answer> {
    const answerer = this.current;
    this.inFlight.set(answerer, (this.inFlight.get(answerer) ?? 0) + 1);
    try {
      return await answerer.ask(question, options, timings);
    } finally {
      const left = (this.inFlight.get(answerer) ?? 1) - 1;
      if (left > 0) this.inFlight.set(answerer, left);
      else {
        this.inFlight.delete(answerer);
        if (answerer !== this.current || this.closed) answerer.index.close();
      }
    }
  }

  /** Closes an answerer's index now, or when the questions it is answering are done. */
  private retire(answerer: Answerer): void {
    if (!this.inFlight.has(answerer)) answerer.index.close();
  }

  /** An article of the live build, with its sentences. */
  article(id: string): IndexedArticle | undefined {
    return this.current.index.article(id);
  }

  /** A page of the live build's articles, in id order. */
  articles(page: { offset: number; limit: number }): { total: number; items: ArticleMeta[] } {
    return this.current.index.articles(page);
  }

  /** The live index, for tools that measure it (benchmarks, tests). */
  get index(): LocalIndex {
    return this.current.index;
  }

  /**
   * Opens the live build if it is not the one in use. Resolves when done, or
   * on failure (a damaged or unreadable build), keeping the one in use.
   */
  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const dir = await currentBuildDir(this.options.indexDir);
        if (!dir || basename(dir) === this.version) return;
        const previous = this.current;
        this.current = await AnswerService.answererFor(this.options, undefined, previous.index);
        this.retire(previous);
        this.options.onReload?.(this.version);
      } catch (error) {
        this.options.onReloadError?.(error as Error);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Follows the index folder's CURRENT pointer (polled: polling also works on network and container mounts). */
  watch(intervalMs = WATCH_INTERVAL_MS): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(join(this.options.indexDir, CURRENT_FILE), { interval: intervalMs }, () => void this.reload());
  }

  /** Stops following new builds and lets go of the index once the questions under way are answered. */
  close(): void {
    if (this.watching) unwatchFile(join(this.options.indexDir, CURRENT_FILE));
    this.watching = false;
    if (this.closed) return;
    this.closed = true;
    this.retire(this.current);
  }
}

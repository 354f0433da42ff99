import { plainQuestion } from '../arabic/markup.js';
import type { ArticleMeta } from '../corpus/article.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import { timeAnswer } from '../ops/metrics.js';
import type { SearchEngine } from '../search/engine.js';
import type { IndexedArticle, SearchIndex } from '../search/search-index.js';
import { type Answer, Answerer, type AnswerTimings, type AskOptions } from './answerer.js';
import { type AnswerOptions, answerOptionsFor } from './options.js';

export type { ArticleMeta, IndexedArticle };

/** The index was built with another model than the configured one: their vectors cannot be compared. */
export class ModelMismatchError extends UserError {
  override readonly name = 'ModelMismatchError';

  constructor(
    /** Where the index is (SearchEngine.location). */
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
  /** The engine whose live build answers (and is followed when watched). */
  engine: SearchEngine;
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
  onFallback?: (damage: UserError, version: string) => void;
}

/** How often the engine is asked whether a new build was published (where it cannot tell by itself). */
const WATCH_INTERVAL_MS = 1000;

/**
 * Answers questions from the engine's live build: the one way the bot,
 * `npm run ask` and `npm run eval` ask. When a new build is published, a
 * watching service opens it and switches over; questions already under way
 * finish on the index they started with, so none fails during the switch.
 */
export class AnswerService {
  private current: Answerer;
  private reloading: Promise<void> | undefined;
  /** Was reload asked again while one was under way? */
  private lookAgain = false;
  private unwatch: (() => void) | undefined;
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
   * Opens the engine's live build.
   *
   * @throws ModelMismatchError, and the engine's errors (no build, damaged, another format: see SearchEngine.needsBuild)
   */
  static async open(options: ServiceOptions): Promise<AnswerService> {
    return new AnswerService(options, await AnswerService.answererFor(options, options.onFallback));
  }

  private static async answererFor(
    options: ServiceOptions,
    onFallback?: (damage: UserError, version: string) => void,
    /** The index in use: what the new build shares with it may be taken over. */
    reuse?: SearchIndex,
  ): Promise<Answerer> {
    const { engine, embedder } = options;
    const index = await engine.open({ onFallback, reuse });
    if (index.model !== embedder.modelId) {
      await index.close();
      throw new ModelMismatchError(engine.location, index.model, embedder.modelId);
    }
    const answerOptions =
      options.answerOptions ?? answerOptionsFor(index.model, { minSimilarity: options.minSimilarity });
    return new Answerer(index, embedder, answerOptions);
  }

  /** The build answering now. */
  get version(): string {
    return this.current.index.version;
  }

  /** The engine answering: where the builds are, and how a new one is made (ArchiveService builds with it). */
  get engine(): SearchEngine {
    return this.options.engine;
  }

  /** The model that embeds questions (its id and the languages it reads). */
  get model(): Pick<Embedder, 'modelId' | 'languages'> {
    return this.options.embedder;
  }

  async ask(question: string, options?: AskOptions, timings?: AnswerTimings): Promise<Answer> {
    const answerer = this.current;
    this.inFlight.set(answerer, (this.inFlight.get(answerer) ?? 0) + 1);
    const answered = timeAnswer();
    try {
      // Marks and links are not words: language detection and search see the text without them.
      const answer = await answerer.ask(plainQuestion(question), options, timings);
      answered(answer.found);
      return answer;
    } finally {
      const left = (this.inFlight.get(answerer) ?? 1) - 1;
      if (left > 0) this.inFlight.set(answerer, left);
      else {
        this.inFlight.delete(answerer);
        if (answerer !== this.current || this.closed) void closeQuietly(answerer.index);
      }
    }
  }

  /** Closes an answerer's index now, or when the questions it is answering are done. */
  private retire(answerer: Answerer): void {
    if (!this.inFlight.has(answerer)) void closeQuietly(answerer.index);
  }

  /** An article of the live build, with its sentences. */
  article(id: string): Promise<IndexedArticle | undefined> {
    return this.current.index.article(id);
  }

  /** A page of the live build's articles, in id order. */
  articles(page: { offset: number; limit: number }): Promise<{ total: number; items: ArticleMeta[] }> {
    return this.current.index.articles(page);
  }

  /** The live index, for tools that measure it (benchmarks, tests). */
  get index(): SearchIndex {
    return this.current.index;
  }

  /**
   * Opens the live build if it is not the one in use. Resolves when done, or
   * on failure (a damaged or unreadable build), keeping the one in use.
   */
  async reload(): Promise<void> {
    if (this.reloading) {
      // A build published while another opens (opening takes a while: a postgres replica warms its
      // caches): looked for again once that one is open, rather than at the next publication.
      this.lookAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.lookAgain = false;
          try {
            const version = await this.options.engine.currentVersion();
            if (!version || version === this.version || this.closed) continue;
            const next = await AnswerService.answererFor(this.options, undefined, this.current.index);
            if (this.closed) {
              // Closed while it opened: nothing will ask it.
              await closeQuietly(next.index);
              return;
            }
            const previous = this.current;
            this.current = next;
            this.retire(previous);
            this.options.onReload?.(this.version);
          } catch (error) {
            // This build failed; one published meanwhile (lookAgain) is still tried.
            this.options.onReloadError?.(error as Error);
          }
        } while (this.lookAgain && !this.closed);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Follows the engine's newly published builds (see SearchEngine.watch). */
  watch(intervalMs = WATCH_INTERVAL_MS): void {
    if (this.closed) return;
    this.unwatch ??= this.options.engine.watch(() => void this.reload(), { intervalMs });
  }

  /** Stops following new builds and lets go of the index once the questions under way are answered. */
  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.closed) return;
    this.closed = true;
    this.retire(this.current);
  }
}

/** An index closed when no question needs it any more: a failure to close loses nothing. */
async function closeQuietly(index: SearchIndex): Promise<void> {
  try {
    await index.close();
  } catch {
    // its files or connections go with the process
  }
}

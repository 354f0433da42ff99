import type { ChunkOptions } from '../corpus/chunks.js';
import type { SkippedFile } from '../corpus/load.js';
import type { Embedder } from '../embedding/embedder.js';
import { UserError } from '../errors.js';
import type { SearchIndex } from './search-index.js';

/**
 * An engine: where the published builds live and how they are made. It
 * opens the live build as a SearchIndex, tells which build is live, calls
 * back when a new one is published, and builds (and publishes) one from the
 * corpus folder. Everything of its storage (the local engine's index folder
 * and `CURRENT` file, the postgres engine's tables) stays behind it: the
 * answering layer, the bot and the command line know only this and
 * SearchIndex. Engines are opened by `openEngine` (open-engine.ts), chosen
 * by SEARCH_BACKEND.
 */
export interface SearchEngine {
  /** Which engine: the value of SEARCH_BACKEND that selects it. */
  readonly backend: SearchBackend;
  /** Where it keeps the builds, for messages: the index folder, or the database (never its password). */
  readonly location: string;

  /**
   * Opens the live build. With `reuse`, an index of this engine open now:
   * what the new build shares with it may be taken over rather than read
   * again. With `onFallback`, a damaged live build is reported to it and
   * the newest intact build opened instead (else the open fails).
   *
   * @throws a UserError when there is no build (see needsBuild) or it cannot be read
   */
  open(options?: OpenOptions): Promise<SearchIndex>;
  /** The version of the live build, or undefined when none was published. */
  currentVersion(): Promise<string | undefined>;
  /**
   * Calls `onPublished` (soon) after a build is published, by this process
   * or another; may call it when nothing changed (compare currentVersion).
   * Returns the function that stops watching.
   */
  watch(onPublished: () => void, options?: { intervalMs?: number }): () => void;
  /**
   * Builds the corpus folder's articles (reusing what is unchanged since the
   * live build) and publishes the build: readers see the old build or the
   * new one whole, never half.
   *
   * @throws a UserError when another build holds the engine's build lock, or the build cannot be written
   */
  build(options: EngineBuildOptions): Promise<EngineBuildReport>;
  /** Does this error of `open` mean "build first, then it will open" (no build, an old format, damaged)? */
  needsBuild(error: unknown): boolean;
  /**
   * Where editors' articles go when the engine keeps the articles itself (the
   * postgres engine: the database is the archive of record, and an article
   * sent from the chat outlives any corpus folder). Absent: they are files of
   * the corpus folder, indexed by `build`.
   */
  readonly archive?: EngineArchive;
  /** Lets go of the engine's own resources (connections); indexes it opened are closed by their holders. */
  close(): Promise<void>;
}

/** The engines there are (SEARCH_BACKEND). */
export type SearchBackend = 'local' | 'postgres';

export interface OpenOptions {
  /** An index of this engine open now, whose parts the live build may share (see SearchEngine.open). */
  reuse?: SearchIndex;
  /** Called when the live build is damaged and the build `version` answers instead. */
  onFallback?: (damage: UserError, version: string) => void;
}

export interface EngineBuildOptions {
  /**
   * The corpus folder the build reads. Absent: an engine that keeps its own articles (`archive`) builds
   * from what it holds (the articles stored for the next build among them); the local engine refuses.
   */
  corpusDir?: string;
  embedder: Embedder;
  chunking: ChunkOptions;
  /** Embed and index every article again, even those that could be reused (default: false). */
  full?: boolean;
  /** Article files larger than this many bytes are skipped (default: no limit). */
  maxArticleBytes?: number;
  /** Called once the work is known, then as passages are embedded. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each article file that is skipped, before the build goes on. */
  onSkip?: (skipped: SkippedFile) => void;
  /** Publish even a build that would remove more than half of the published articles (default: false: IndexShrinkError). */
  allowShrink?: boolean;
}

/** An engine's own store of articles (SearchEngine.archive): each change is written and published as one build. */
export interface EngineArchive {
  /**
   * Adds an article (its id never replaces one) and publishes a build with it.
   *
   * @throws ArticleExistsError, and the errors of build
   */
  add(article: { id: string; file: string; bytes: Buffer }, options: ArchiveBuildOptions): Promise<EngineBuildReport>;
  /**
   * Takes an article out and publishes a build without it.
   *
   * @throws ArticleNotFoundError, LastArticleError, and the errors of build
   */
  remove(id: string, options: ArchiveBuildOptions): Promise<EngineBuildReport>;
  /**
   * The article the archive holds (published, or stored for the next build)
   * with this id, canonical address key (corpus/identity.ts `articleKey`) or
   * text hash (`articleTextHash`): how ingestion finds an article it reached
   * twice. A stored one wins over the published one.
   */
  find(by: { id: string } | { urlKey: string } | { textHash: string }): Promise<ArchivedArticle | undefined>;
  /**
   * Stores an article for the next build, durably (a later build of any kind
   * publishes it): a new one, or a newer version of one (same id, updated in
   * place). Nothing is published: see publish.
   */
  store(article: IncomingArticle): Promise<void>;
  /** Builds and publishes what `store` left (no corpus folder read); nothing stored: nothing published. */
  publish(options: ArchiveBuildOptions): Promise<EngineBuildReport>;
  /**
   * A lease shared by every process on this archive (e.g. which replica polls
   * FEEDS): `take` gets or renews it for `ttlMs` and says whether this holder has it.
   */
  lease(name: string, holder: string, ttlMs: number): SharedLease;
}

/** An article as the archive holds it (EngineArchive.find). */
export interface ArchivedArticle {
  id: string;
  /** 'corpus': read from the corpus folder (it follows the folder); 'chat': sent by an editor; 'web': ingested. */
  origin: 'corpus' | 'chat' | 'web';
  /** What it was read from: the file's bytes as text (an article sent or ingested), or its text (a corpus file). */
  source: string;
}

/** An article for EngineArchive.store: a `.md` file (front matter and text) and how it is found again. */
export interface IncomingArticle {
  id: string;
  file: string;
  bytes: Buffer;
  /** articleKey of its canonical address, if it has one. */
  urlKey?: string;
  /** articleTextHash of the article as parsed from `bytes`. */
  textHash: string;
}

/** A lease held by one process at a time, until it expires unrenewed. */
export interface SharedLease {
  /** Takes the lease, or renews it when this holder has it; false when another holder does. */
  take(): Promise<boolean>;
  /** Lets it go (when this holder has it). */
  release(): Promise<void>;
}

/** A build for an archive change: as EngineBuildOptions, without a corpus folder to read. */
export type ArchiveBuildOptions = Omit<EngineBuildOptions, 'corpusDir' | 'full' | 'onSkip'>;

/** What a build did; an engine may add figures of its own (they are printed by `npm run index -- --json`). */
export interface EngineBuildReport {
  /** The published build's version. */
  version: string;
  model: string;
  articles: number;
  sentences: number;
  chunks: number;
  /** Articles whose passages were embedded in this build. */
  embedded: number;
  /** Articles whose vectors were taken over from the previous build. */
  reused: number;
  /** Articles of the previous build that are not in this one as they were (gone or changed). */
  removed: number;
  passagesEmbedded: number;
  skipped: SkippedFile[];
  /** Why the previous build could not be updated and everything was built again, if so. */
  fullRebuildReason?: string;
  /** A few words on how it was written, for the summary line (e.g. "written as a delta beside the unchanged base"). */
  note?: string;
  seconds: number;
}

/** SEARCH_BACKEND names an engine this program does not have (yet). */
export class EngineUnavailableError extends UserError {
  override readonly name = 'EngineUnavailableError';

  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`The ${backend} search engine is not available: ${reason}`);
  }
}

/** Another build (in this process or another, on this machine or another) holds the engine's build lock. */
export class BuildLockedError extends UserError {
  override readonly name: string = 'BuildLockedError';

  constructor(
    /** Who holds the lock, as the engine knows it (e.g. "pid@host"). */
    readonly holder: string,
    message = `Another build (${holder}) is running; wait for it to finish.`,
  ) {
    super(message);
  }
}

/**
 * The build would remove more than half of the published articles (all of
 * them, when every file became unreadable): refused before anything is
 * embedded, the published index stays live.
 */
export class IndexShrinkError extends UserError {
  override readonly name = 'IndexShrinkError';

  constructor(
    readonly corpusDir: string,
    /** Articles in the published index. */
    readonly published: number,
    /** Articles the new build would hold. */
    readonly remaining: number,
    /** Files of the corpus skipped as unreadable. */
    readonly skipped: number,
  ) {
    super(
      `This build would remove ${published - remaining} of the ${published} published articles ` +
        `(${remaining} left${skipped ? `, ${skipped} files skipped as unreadable` : ''} in ${corpusDir}): refused, ` +
        'the published index stays live. Check the corpus folder and the warnings above; ' +
        'to publish it anyway: npm run index -- --allow-shrink',
    );
  }
}

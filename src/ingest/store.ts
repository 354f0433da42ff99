import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Article } from '../corpus/article.js';
import { articleKey, articleTextHash } from '../corpus/identity.js';
import { ARTICLE_EXTENSIONS, parseArticleFile } from '../corpus/load.js';
import { ARTICLE_ID, ArticleExistsError, saveArticle, slugify } from '../corpus/submit.js';
import type { ArchiveBuildOptions, EngineArchive, EngineBuildReport, SearchEngine } from '../search/engine.js';
import { IngestRefusedError } from './errors.js';

/** An article read from the web or a CMS export, ready to be stored. */
export interface WebArticle {
  title: string;
  outlet: string;
  /** YYYY-MM-DD, or ''. */
  date: string;
  author?: string;
  /** The canonical address: replies link to it, and it tells articles apart. */
  url?: string;
  /** Where it was read from (the address asked for, or "export.csv:12"), for refusals. */
  from: string;
  /** The article's paragraphs. */
  paragraphs: string[];
}

/** What storing an article did. */
export interface Stored {
  status: 'added' | 'updated' | 'unchanged';
  id: string;
}

/**
 * Where ingested articles are kept, as the engine keeps its archive
 * (articleStoreFor): files in CORPUS_DIR for the local engine, the database
 * for the postgres engine. `put` stores an article atomically and durably:
 * a new one is added, one already stored (same canonical address, or the
 * same text when there is no address) is updated in place under its id, or
 * left as it is when nothing changed. `commit` then indexes what was
 * stored, in one build (the caller calls it once, after the puts).
 */
export interface ArticleStore {
  put(article: WebArticle): Promise<Stored>;
  /** The id of the article stored under this address (canonical or as listed), if any. */
  idOf(url: string): Promise<string | undefined>;
  /** Builds and publishes the index with what was stored. */
  commit(options: ArchiveBuildOptions): Promise<EngineBuildReport>;
}

/**
 * The store the engine keeps its articles in: its own archive when it has
 * one (the postgres engine's database), else the corpus folder it builds from.
 */
export function articleStoreFor(
  engine: SearchEngine,
  { corpusDir, maxBytes }: { corpusDir: string; maxBytes: number },
): ArticleStore {
  return engine.archive
    ? new DatabaseArticleStore(engine.archive, maxBytes)
    : new FileArticleStore(corpusDir, maxBytes, engine);
}

/** An id for a web article: its host and last path segment made safe, and a hash of its address key, or else of its text. */
function webId(article: WebArticle, key: string | undefined, textHash: string): string {
  const hash = key ? createHash('sha256').update(key).digest('hex') : textHash;
  let hint = 'article';
  if (article.url) {
    const url = new URL(article.url);
    const last = url.pathname.split('/').filter(Boolean).pop() ?? '';
    let segment = last;
    try {
      segment = decodeURIComponent(last);
    } catch {
      // a malformed escape: the segment as it is
    }
    hint = slugify(`${url.hostname.replace(/^www\./, '')} ${segment.replace(/\.\w{2,5}$/, '')}`).slice(0, 56);
  }
  const id = `${hint || 'article'}-${hash.slice(0, 10)}`;
  return ARTICLE_ID.test(id) ? id : `article-${hash.slice(0, 10)}`;
}

/** The .md file of an ingested article: YAML front matter (title, source, date, url, author), then the paragraphs. */
export function articleFile(article: WebArticle): Buffer {
  const front: Record<string, string> = { title: article.title, source: article.outlet, date: article.date };
  if (article.url) front.url = article.url;
  if (article.author) front.author = article.author;
  const yaml = stringify(front, { lineWidth: 0 });
  return Buffer.from(`---\n${yaml}---\n\n${article.paragraphs.join('\n\n')}\n`, 'utf8');
}

/**
 * The local engine's store: articles are `.md` files in CORPUS_DIR, written
 * atomically (a dot-file renamed into place), found again by the `url` of
 * their front matter or the hash of their text. An article the folder holds
 * in another format (.txt, .html) is found the same way and left as it is.
 */
export class FileArticleStore implements ArticleStore {
  private known?: Promise<{
    byUrl: Map<string, string>;
    byText: Map<string, string>;
    files: Map<string, Buffer>;
    others: Set<string>;
  }>;

  constructor(
    private readonly corpusDir: string,
    private readonly maxBytes: number,
    /** The engine that indexes the folder (commit); tests that only store may leave it out. */
    private readonly engine?: Pick<SearchEngine, 'build'>,
  ) {}

  /** Builds the corpus folder: what was written, and whatever else changed in it. */
  async commit(options: ArchiveBuildOptions): Promise<EngineBuildReport> {
    if (!this.engine) throw new Error('FileArticleStore.commit needs the engine it was made with');
    return this.engine.build({ ...options, corpusDir: this.corpusDir });
  }

  async idOf(url: string): Promise<string | undefined> {
    return (await this.read()).byUrl.get(articleKey(url));
  }

  /** Puts one at a time: two addresses of one article, fetched at once, must find each other. */
  readonly put = oneAtATime((article: WebArticle) => this.putNow(article));

  private async putNow(article: WebArticle): Promise<Stored> {
    const known = await this.read();
    // The hash of its sentences as parsed, as the database's store and a build compute it (identity.ts).
    const hash = articleTextHash(checked(article, 'article.md', this.maxBytes).parsed);
    const key = article.url ? articleKey(article.url) : undefined;
    const existing = (key && known.byUrl.get(key)) || known.byText.get(hash);
    // An article the corpus keeps as .txt or .html follows its file, as the database's store keeps the folder's.
    if (existing && known.others.has(existing)) return { status: 'unchanged', id: existing };
    const id = existing ?? webId(article, key, hash);
    const file = `${id}.md`;
    const { bytes, parsed } = checked(article, file, this.maxBytes);

    const before = known.files.get(id);
    if (before?.equals(bytes)) return { status: 'unchanged', id };
    // The same text reached at another address (no canonical link, a mirror): one article.
    if (existing && known.byText.get(hash) === id && (!key || known.byUrl.get(key) !== id))
      return { status: 'unchanged', id };
    if (existing && before) await this.replace(file, bytes);
    else {
      try {
        await saveArticle(this.corpusDir, { id, file, bytes, article: parsed });
      } catch (error) {
        // Another article file holds this id (an editor's): the web one waits for it to be removed.
        if (error instanceof ArticleExistsError)
          throw new IngestRefusedError(
            article.from,
            'exists',
            `an article with the id "${id}" is already in the corpus`,
          );
        throw error;
      }
    }
    if (key) known.byUrl.set(key, id);
    known.byText.set(hash, id);
    known.files.set(id, bytes);
    return { status: existing ? 'updated' : 'added', id };
  }

  /** Rewrites an article's file in one step: readers see the old file or the new one, never half of one. */
  private async replace(file: string, bytes: Buffer): Promise<void> {
    const temporary = join(this.corpusDir, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temporary, bytes, { flag: 'wx' });
    try {
      await rename(temporary, join(this.corpusDir, file));
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The corpus's articles, by the address they give (front matter, or an
   * HTML page's canonical link) and by the hash of their text. Only `.md`
   * files are the store's to rewrite (`files`); an article kept in another
   * format (.txt, .html) is found, never replaced (`others`).
   */
  private read() {
    this.known ??= (async () => {
      const byUrl = new Map<string, string>();
      const byText = new Map<string, string>();
      const files = new Map<string, Buffer>();
      const others = new Set<string>();
      await mkdir(this.corpusDir, { recursive: true });
      // The indexer's rule for two files with one id: the .md is the article (loadCorpus).
      const chosen = new Map<string, string>();
      for (const name of (await readdir(this.corpusDir)).sort()) {
        const dot = name.lastIndexOf('.');
        if (name.startsWith('.') || dot <= 0 || !ARTICLE_EXTENSIONS.includes(name.slice(dot).toLowerCase())) continue;
        const id = name.slice(0, dot);
        const was = chosen.get(id);
        if (was === undefined || (isMarkdown(name) && !isMarkdown(was))) chosen.set(id, name);
      }
      for (const [id, name] of chosen) {
        const bytes = await readFile(join(this.corpusDir, name)).catch(() => undefined);
        if (!bytes || bytes.length > this.maxBytes) continue;
        try {
          const parsed = parseArticleFile(name, bytes);
          if ('reason' in parsed) continue; // an article the indexer skips with a warning; nothing to find here
          if (parsed.url) {
            try {
              byUrl.set(articleKey(parsed.url), id);
            } catch {
              // not a URL: nothing to find it by
            }
          }
          byText.set(articleTextHash(parsed), id);
          if (isMarkdown(name)) files.set(id, bytes);
          else others.add(id);
        } catch {
          // an article the indexer skips with a warning; nothing to find here
        }
      }
      return { byUrl, byText, files, others };
    })();
    return this.known;
  }
}

const isMarkdown = (name: string) => name.slice(name.lastIndexOf('.')).toLowerCase() === '.md';

/** `task`, called for one argument at a time in the order of the calls; one that fails does not stop the next. */
function oneAtATime<A, R>(task: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let queue: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const result = queue.then(() => task(arg));
    queue = result.catch(() => undefined);
    return result;
  };
}

/** An article's file as it will be stored, checked as the indexer will read it. */
function checked(article: WebArticle, file: string, maxBytes: number): { bytes: Buffer; parsed: Article } {
  const bytes = articleFile(article);
  if (bytes.length > maxBytes)
    throw new IngestRefusedError(article.from, 'too-large', 'the article is larger than MAX_ARTICLE_BYTES');
  const parsed = parseArticleFile(file, bytes);
  if ('reason' in parsed)
    throw new IngestRefusedError(article.from, 'no-text', `no article text found (${parsed.reason})`);
  return { bytes, parsed };
}

/**
 * The postgres engine's store: articles go into the database (origin
 * 'web'), found again by the articleKey of their canonical address or the
 * hash of their sentences among the published articles and those stored
 * for the next build. Nothing is written to CORPUS_DIR. An article read from
 * the corpus folder follows the folder: the web never replaces it.
 */
export class DatabaseArticleStore implements ArticleStore {
  constructor(
    private readonly archive: EngineArchive,
    private readonly maxBytes: number,
  ) {}

  async idOf(url: string): Promise<string | undefined> {
    return (await this.archive.find({ urlKey: articleKey(url) }))?.id;
  }

  /** Puts one at a time: two addresses of one article, fetched at once, must find each other. */
  readonly put = oneAtATime((article: WebArticle) => this.putNow(article));

  commit(options: ArchiveBuildOptions): Promise<EngineBuildReport> {
    return this.archive.publish(options);
  }

  private async putNow(article: WebArticle): Promise<Stored> {
    const key = article.url ? articleKey(article.url) : undefined;
    // The id's file name only tells the parser it is Markdown: checked before anything is looked up.
    const { bytes, parsed } = checked(article, 'article.md', this.maxBytes);
    const hash = articleTextHash(parsed);
    const byUrl = key ? await this.archive.find({ urlKey: key }) : undefined;
    const byText = byUrl ? undefined : await this.archive.find({ textHash: hash });
    const existing = byUrl ?? byText;
    // The corpus folder's own article, or the same text reached at another address (a mirror): one article, kept.
    if (existing && (existing.origin === 'corpus' || byText)) return { status: 'unchanged', id: existing.id };
    if (existing?.source === bytes.toString('utf8')) return { status: 'unchanged', id: existing.id };
    const id = existing?.id ?? webId(article, key, hash);
    if (!existing && (await this.archive.find({ id })))
      throw new IngestRefusedError(article.from, 'exists', `an article with the id "${id}" is already in the archive`);
    await this.archive.store({ id, file: `${id}.md`, bytes, urlKey: key, textHash: hash });
    return { status: existing ? 'updated' : 'added', id };
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { link, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { errnoCode, UserError } from '../errors.js';
import { decodeText } from '../text-file.js';
import type { Article } from './article.js';
import { FrontMatterError, splitFrontMatter } from './front-matter.js';
import { ARTICLE_EXTENSIONS, parseArticleFile } from './load.js';

/**
 * Articles sent by editors (a Telegram document, or text after /add): checked
 * before anything touches the disk, saved under a safe id without ever
 * replacing a file, removed by id. The index is rebuilt by the caller.
 */

/** Why a submitted article was refused. */
export type RejectionReason = 'type' | 'too-large' | 'not-utf8' | 'empty' | 'front-matter' | 'no-text';

export class ArticleRejectedError extends UserError {
  override readonly name = 'ArticleRejectedError';

  constructor(
    readonly reason: RejectionReason,
    /** What was wrong, in the parser's words (front matter), when there is more to say. */
    readonly detail?: string,
  ) {
    super(`Article refused (${reason}${detail ? `: ${detail}` : ''}).`);
  }
}

/** An article with the same id is in the corpus: it is never replaced by a new one. */
export class ArticleExistsError extends UserError {
  override readonly name = 'ArticleExistsError';

  constructor(readonly id: string) {
    super(`An article with the id "${id}" is already in the corpus; remove it first to replace it.`);
  }
}

export class ArticleNotFoundError extends UserError {
  override readonly name = 'ArticleNotFoundError';

  constructor(readonly id: string) {
    super(`No article with the id "${id}" in the corpus.`);
  }
}

/** The corpus would be left empty, and an empty corpus cannot be indexed. */
export class LastArticleError extends UserError {
  override readonly name = 'LastArticleError';

  constructor(readonly id: string) {
    super(`"${id}" is the last article of the corpus; an empty corpus cannot be indexed.`);
  }
}

/**
 * An article id as editors may give it: letters (any script), digits, "-" and
 * "_", starting with a letter or digit. No dots or separators, so an id is
 * never a path, a dot-file or a file of another type.
 */
export const ARTICLE_ID = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,79}$/u;
/** What editors may send: text and Markdown (pages come through the ingester, by their address). */
const SUBMITTED_EXTENSIONS = ['.txt', '.md'];
/** Longest id made from a file name. */
const MAX_SLUG = 60;

/** An article as submitted: its bytes, and the file name when it came as a file. */
export interface Submission {
  bytes: Buffer;
  fileName?: string;
}

/** A submission that passed every check: what will be written, and the article as parsed. */
export interface CheckedArticle {
  id: string;
  /** The file name it will have in the corpus: id and extension. */
  file: string;
  bytes: Buffer;
  article: Article;
}

/**
 * A file name made into an id: letters and digits of any script, runs of
 * anything else made one "-", diacritics and tatweel dropped.
 *
 * @example slugify("Xi & Putin — call (2021).md") === "xi-putin-call-2021-md"
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\p{M}\u0640]/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/[-_]+$/, '');
}

/**
 * Checks a submitted article the way the indexer will read it: a .txt or
 * .md file (text without a file name is .md when it opens with front matter),
 * at most `maxBytes`, UTF-8, not empty, front matter valid, some article text.
 * Its id is the file name made safe, or for text the article's date and a
 * hash of its bytes (the same text sent twice gets the same id).
 *
 * @throws ArticleRejectedError
 */
export function checkSubmission({ bytes, fileName }: Submission, { maxBytes }: { maxBytes: number }): CheckedArticle {
  const extension = fileName
    ? extname(fileName).toLowerCase()
    : /^\uFEFF?---[^\n]*\r?\n/.test(bytes.subarray(0, 64).toString('utf8'))
      ? '.md'
      : '.txt';
  if (!SUBMITTED_EXTENSIONS.includes(extension)) throw new ArticleRejectedError('type');
  if (bytes.length > maxBytes) throw new ArticleRejectedError('too-large');
  const decoded = decodeText(bytes);
  if ('reason' in decoded) throw new ArticleRejectedError('not-utf8', decoded.reason);
  if (decoded.text.trim() === '') throw new ArticleRejectedError('empty');
  if (extension === '.md') {
    try {
      splitFrontMatter(decoded.text);
    } catch (error) {
      if (error instanceof FrontMatterError) throw new ArticleRejectedError('front-matter', error.message);
      throw error;
    }
  }
  const parsed = parseArticleFile(`submitted${extension}`, bytes);
  if ('reason' in parsed) throw new ArticleRejectedError('no-text', parsed.reason);

  const fromName = fileName ? slugify(basename(fileName, extname(fileName))) : '';
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  const id = ARTICLE_ID.test(fromName) ? fromName : `${parsed.date || 'article'}-${hash}`;
  const file = `${id}${extension}`;
  return { id, file, bytes, article: { ...parsed, id, file } };
}

/** The ids of the article files in the corpus folder. */
async function corpusIds(corpusDir: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const name of await readdir(corpusDir)) {
    const extension = extname(name).toLowerCase();
    if (ARTICLE_EXTENSIONS.includes(extension)) ids.set(basename(name, extname(name)), name);
  }
  return ids;
}

/** File systems without hard links; there, rename after the check for an existing id. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

/**
 * Writes a checked article into the corpus folder atomically: a temporary
 * dot-file (never read as an article) that is then linked to its name, which
 * fails rather than replace a file that appeared meanwhile.
 *
 * @throws ArticleExistsError when an article with its id (any extension) is there.
 */
export async function saveArticle(corpusDir: string, checked: CheckedArticle): Promise<string> {
  if ((await corpusIds(corpusDir)).has(checked.id)) throw new ArticleExistsError(checked.id);
  const target = join(corpusDir, checked.file);
  const temporary = join(corpusDir, `.${checked.id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, checked.bytes, { flag: 'wx' });
  try {
    await link(temporary, target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw new ArticleExistsError(checked.id);
    if (!code || !NO_HARD_LINKS.has(code)) throw error;
    await rename(temporary, target);
    return target;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return target;
}

/**
 * Deletes an article's file from the corpus folder. The id must be a plain
 * id of a file there (never a path), and not the last one.
 *
 * @throws ArticleNotFoundError, LastArticleError
 */
export async function removeArticle(corpusDir: string, id: string): Promise<string> {
  const ids = await corpusIds(corpusDir);
  const name = ARTICLE_ID.test(id) ? ids.get(id) : undefined;
  if (!name) throw new ArticleNotFoundError(id);
  if (ids.size <= 1) throw new LastArticleError(id);
  await unlink(join(corpusDir, name));
  return name;
}

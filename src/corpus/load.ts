import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import type { Article } from './article.js';
import { dateFromFrontMatter } from './dates.js';
import { type FrontMatter, FrontMatterError, splitFrontMatter } from './front-matter.js';
import { parseArticleText } from './parse.js';

export const ARTICLE_EXTENSIONS = ['.txt', '.md'];

/** A file of the corpus folder that is not indexed, and why (for the warning). */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface LoadedCorpus {
  articles: Article[];
  /** Ids of files whose content hash matched `known`, or whose size and time matched `knownSources`: not parsed. */
  unchanged: Set<string>;
  /** The file of each article id, unchanged or not. */
  files: Map<string, string>;
  skipped: SkippedFile[];
}

/** What a file looked like when listed: its size and modification time. */
export interface FileStamp {
  bytes: number;
  mtimeMs: number;
}

export interface ListOptions {
  /** Files larger than this many bytes are skipped (default: no limit). */
  maxBytes?: number;
}

export interface LoadOptions extends ListOptions {
  /** The corpus listing, as listCorpus returns it (listed again when absent). */
  files?: CorpusListing;
  /** Content hashes of articles already read; those files are not parsed again. */
  known?: ReadonlyMap<string, string>;
  /**
   * Stamps of the files of articles already read, by file name: a file of a
   * known article with the same stamp is taken as unchanged without being
   * read (as make and rsync do).
   */
  knownStamps?: ReadonlyMap<string, FileStamp>;
}

/** The article files of a corpus folder, and the files passed over. */
export interface CorpusListing {
  files: string[];
  /** Each listed file's stamp. */
  stamps: Map<string, FileStamp>;
  skipped: SkippedFile[];
}

/** The corpus folder is missing or holds no articles. */
export class CorpusError extends UserError {
  override readonly name = 'CorpusError';

  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Files read at a time: disks and network mounts answer faster in parallel. */
const READ_AHEAD = 64;

/** Decodes bytes as UTF-8 text, or says why they are not. */
export function decodeText(bytes: Buffer): { text: string } | { reason: string } {
  if (bytes.includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  try {
    return {
      text: utf8
        .decode(bytes)
        .replace(/^\uFEFF/, '')
        .replace(/\r\n?/g, '\n'),
    };
  } catch {
    return { reason: 'not valid UTF-8 text' };
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;
}

/**
 * Reads one article file. A `.md` file may start with YAML front matter
 * (`title`, `source`, `date`, `url`) that overrides what the text says.
 */
export function parseArticleFile(file: string, bytes: Buffer, hash = sha256(bytes)): Article | SkippedFile {
  const decoded = decodeText(bytes);
  if ('reason' in decoded) return { file, reason: decoded.reason };
  let text = decoded.text;
  let front: FrontMatter | undefined;
  if (extname(file).toLowerCase() === '.md') {
    try {
      ({ front, body: text } = splitFrontMatter(text));
    } catch (error) {
      if (error instanceof FrontMatterError) return { file, reason: error.message };
      throw error;
    }
  }
  // A file with front matter is clean text: no header lines or dateline to read.
  const parsed = parseArticleText(text, { clean: front !== undefined });
  if (parsed.sentences.length === 0) return { file, reason: 'no article text' };
  return {
    id: basename(file, extname(file)),
    title: front?.title || parsed.title,
    outlet: front?.source || parsed.outlet,
    date: dateFromFrontMatter(front?.date) || parsed.date,
    ...(front?.url ? { url: front.url } : {}),
    text,
    sentences: parsed.sentences,
    hash,
    file,
  };
}

/** An entry of the corpus folder: an article file to read, with its stamp, or why it is not one. */
async function examine(
  dir: string,
  realDir: string,
  entry: Dirent,
  maxBytes?: number,
): Promise<{ stamp: FileStamp } | { reason: string }> {
  const path = join(dir, entry.name);
  if (entry.isSymbolicLink()) {
    const target = await realpath(path).catch(() => undefined);
    if (!target) return { reason: 'broken symbolic link' };
    const inside = relative(realDir, target);
    if (inside.startsWith('..') || isAbsolute(inside))
      return { reason: 'symbolic link to a file outside the corpus folder' };
  }
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { reason: 'not a regular file' };
  if (maxBytes !== undefined && info.size > maxBytes) {
    return { reason: `larger than MAX_ARTICLE_BYTES (${mib(info.size)} > ${mib(maxBytes)})` };
  }
  return { stamp: { bytes: info.size, mtimeMs: info.mtimeMs } };
}

/**
 * The article files (`.txt`, `.md`) in `dir`, in file-name order. Symbolic
 * links that leave the folder, anything that is not a regular file (a
 * folder, a pipe) and files over `maxBytes` are passed over, with reasons.
 *
 * @throws CorpusError when the folder is missing or holds no article files.
 */
export async function listCorpus(dir: string, { maxBytes }: ListOptions = {}): Promise<CorpusListing> {
  let entries: Dirent[];
  let realDir: string;
  try {
    entries = await readdir(dir, { withFileTypes: true });
    realDir = await realpath(dir);
  } catch {
    throw new CorpusError(dir, `Corpus folder not found: ${dir}`);
  }
  const candidates = entries
    .filter((e) => ARTICLE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (candidates.length === 0) throw new CorpusError(dir, `No articles in ${dir}: add .txt or .md files.`);
  const files: string[] = [];
  const stamps = new Map<string, FileStamp>();
  const skipped: SkippedFile[] = [];
  for (let i = 0; i < candidates.length; i += READ_AHEAD) {
    const batch = candidates.slice(i, i + READ_AHEAD);
    const found = await Promise.all(batch.map((entry) => examine(dir, realDir, entry, maxBytes)));
    for (const [j, entry] of batch.entries()) {
      const result = found[j];
      if ('reason' in result) skipped.push({ file: entry.name, reason: result.reason });
      else {
        files.push(entry.name);
        stamps.set(entry.name, result.stamp);
      }
    }
  }
  return { files, stamps, skipped };
}

/** Reads a file, but never more than `maxBytes` + 1 bytes (it may have grown since it was listed). */
async function readCapped(path: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    if (!Number.isFinite(maxBytes)) return await handle.readFile();
    // Sized by the file, not the cap: zeroing a 4 MiB buffer per 3 KB article cost more than the reading.
    const { size } = await handle.stat();
    let buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead === buffer.length && buffer.length <= maxBytes) {
      // The file grew since: read it again up to the cap.
      buffer = Buffer.alloc(maxBytes + 1);
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, 0));
    }
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Loads every article of the corpus folder, in file-name order. Files that
 * cannot be read as articles are reported in `skipped`, never fatal.
 *
 * @throws CorpusError when the folder is missing or holds no article files.
 */
export async function loadCorpus(dir: string, options: LoadOptions = {}): Promise<LoadedCorpus> {
  const { files: names, stamps, skipped: passedOver } = options.files ?? (await listCorpus(dir, options));
  const articles: Article[] = [];
  const unchanged = new Set<string>();
  const skipped: SkippedFile[] = [...passedOver];
  const seen = new Map<string, string>();
  /** A known article's file with the stamp it had: not read. */
  const stampUnchanged = (name: string) => {
    const known = options.knownStamps?.get(name);
    const now = stamps.get(name);
    return (
      known !== undefined &&
      now !== undefined &&
      known.bytes === now.bytes &&
      known.mtimeMs === now.mtimeMs &&
      options.known?.has(basename(name, extname(name))) === true
    );
  };
  for (let i = 0; i < names.length; i += READ_AHEAD) {
    const batch = names.slice(i, i + READ_AHEAD);
    const contents = await Promise.all(
      batch.map((name) =>
        stampUnchanged(name)
          ? 'unchanged'
          : readCapped(join(dir, name), options.maxBytes).catch((error: Error) => error),
      ),
    );
    for (const [j, name] of batch.entries()) {
      const bytes = contents[j];
      const id = basename(name, extname(name));
      if (bytes === 'unchanged' && !seen.has(id)) {
        seen.set(id, name);
        unchanged.add(id);
        continue;
      }
      if (bytes === 'unchanged') {
        skipped.push({ file: name, reason: `same article id as ${seen.get(id)}` });
        continue;
      }
      if (bytes instanceof Error) {
        skipped.push({ file: name, reason: `cannot be read (${bytes.message})` });
        continue;
      }
      if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
        skipped.push({ file: name, reason: `larger than MAX_ARTICLE_BYTES (${mib(options.maxBytes)})` });
        continue;
      }
      if (seen.has(id)) {
        skipped.push({ file: name, reason: `same article id as ${seen.get(id)}` });
        continue;
      }
      seen.set(id, name);
      const hash = sha256(bytes);
      if (options.known?.get(id) === hash) {
        unchanged.add(id);
        continue;
      }
      const result = parseArticleFile(name, bytes, hash);
      if ('reason' in result) skipped.push(result);
      else articles.push(result);
    }
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const files = new Map([...unchanged].map((id) => [id, seen.get(id) as string]));
  for (const article of articles) files.set(article.id, article.file);
  return { articles, unchanged, files, skipped };
}

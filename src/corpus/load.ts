import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { statSync } from 'node:fs';
import { open, readdir, realpath } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import { decodeText } from '../text-file.js';
import type { Article } from './article.js';
import { decodeBody } from './charset.js';
import { dateFromFrontMatter } from './dates.js';
import { extractPage } from './extract.js';
import { type FrontMatter, FrontMatterError, splitFrontMatter } from './front-matter.js';
import { parseArticleText } from './parse.js';

/** The files read as articles: plain text, Markdown, and web pages saved as HTML. */
export const ARTICLE_EXTENSIONS = ['.txt', '.md', '.html', '.htm'];
const HTML_EXTENSIONS = ['.html', '.htm'];

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

/** A read-only lookup by key (a Map will do). */
export interface Lookup<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
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
  known?: Lookup<string>;
  /**
   * Stamps ([bytes, mtimeMs]) of the files of articles already read, by
   * file name: a file of a known article with the same stamp is taken as
   * unchanged without being read (as make and rsync do).
   */
  knownStamps?: Lookup<readonly [bytes: number, mtimeMs: number]>;
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

/** Files read at a time: disks and network mounts answer faster in parallel. */
const READ_AHEAD = 64;
/**
 * Files looked at (stat) between two turns of the event loop. They are
 * looked at synchronously: at 100,000 files that takes 0.45 s, against 1–2 s
 * through libuv's thread pool, and a slice of a thousand holds up the bot's
 * other work for a few milliseconds at most.
 */
const STAT_SLICE = 1000;

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
  if (HTML_EXTENSIONS.includes(extname(file).toLowerCase())) return parseHtmlFile(file, bytes, hash);
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

/**
 * Reads a web page saved into the corpus folder with the ingester's
 * extraction: its charset from its <meta>, the article's own paragraphs,
 * headline, outlet, date and canonical address from its metadata.
 */
function parseHtmlFile(file: string, bytes: Buffer, hash: string): Article | SkippedFile {
  if (bytes.includes(0)) return { file, reason: 'binary file (contains NUL bytes)' };
  const page = extractPage(decodeBody(bytes));
  const text = page.paragraphs.join('\n\n');
  const parsed = parseArticleText(text, { clean: true });
  if (parsed.sentences.length === 0) return { file, reason: 'no article text' };
  return {
    id: basename(file, extname(file)),
    title: page.title || parsed.title,
    outlet: page.outlet,
    date: page.date,
    ...(page.canonical ? { url: page.canonical } : {}),
    text,
    sentences: parsed.sentences,
    hash,
    file,
  };
}

/** A symbolic link in the corpus folder: the stamp of the file it points to, or why it is not an article file to read. */
async function examine(
  dir: string,
  realDir: string,
  entry: Dirent,
  maxBytes?: number,
): Promise<{ stamp: FileStamp } | { reason: string }> {
  const path = join(dir, entry.name);
  const target = await realpath(path).catch(() => undefined);
  if (!target) return { reason: 'broken symbolic link' };
  const inside = relative(realDir, target);
  if (inside.startsWith('..') || isAbsolute(inside))
    return { reason: 'symbolic link to a file outside the corpus folder' };
  return examineFile(path, maxBytes);
}

/** A file (or what a link inside the folder points to): its stamp, or why it is not an article file to read. */
function examineFile(path: string, maxBytes?: number): { stamp: FileStamp } | { reason: string } {
  const info = statSync(path, { throwIfNoEntry: false });
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
  // By name, in code-unit order (the default sort, without a comparator call per pair: 100,000 of them).
  const byName = new Map<string, Dirent>();
  const skipped: SkippedFile[] = [];
  for (const entry of entries) {
    const dot = entry.name.lastIndexOf('.');
    if (dot >= 0 && ARTICLE_EXTENSIONS.includes(entry.name.slice(dot).toLowerCase())) byName.set(entry.name, entry);
    // Any other file is named, so that a .docx or .json put there is not silently ignored (dot-files are ours: temporary writes).
    else if (!entry.name.startsWith('.') && !entry.isDirectory())
      skipped.push({ file: entry.name, reason: 'not an article file (only .txt, .md and .html are read)' });
  }
  const names = [...byName.keys()].sort();
  if (names.length === 0) throw new CorpusError(dir, `No articles in ${dir}: add .txt, .md or .html files.`);
  const files: string[] = [];
  const stamps = new Map<string, FileStamp>();
  for (let i = 0; i < names.length; i += STAT_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const name of names.slice(i, i + STAT_SLICE)) {
      const entry = byName.get(name) as Dirent;
      // A link waits for its target to be resolved; anything else is looked at here and now.
      const result = entry.isSymbolicLink()
        ? await examine(dir, realDir, entry, maxBytes)
        : examineFile(`${dir}/${name}`, maxBytes);
      if ('reason' in result) skipped.push({ file: name, reason: result.reason });
      else {
        files.push(name);
        stamps.set(name, result.stamp);
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
  const { files: listed, stamps, skipped: passedOver } = options.files ?? (await listCorpus(dir, options));
  const articles: Article[] = [];
  const unchanged = new Set<string>();
  const files = new Map<string, string>();
  const skipped: SkippedFile[] = [...passedOver];
  // Listed names are plain file names ending in an article extension (basename() cost 0.2 s over 100,000).
  const idOf = (name: string) => name.slice(0, name.lastIndexOf('.'));
  // Two files with one id (a.md and a.txt): the .md is the article, whatever the order or
  // whether it reads; the other is named in a warning. Among equals, the first by name.
  const isMd = (name: string) => name.slice(name.lastIndexOf('.')).toLowerCase() === '.md';
  const shared = new Set<string>();
  const articleFile = new Map<string, string>();
  for (const name of listed) {
    const id = idOf(name);
    const was = articleFile.get(id);
    if (was !== undefined) shared.add(id);
    if (was === undefined || (isMd(name) && !isMd(was))) articleFile.set(id, name);
  }
  /** The file of a known article, alone with its id, with the stamp it had: taken as unchanged, not read. */
  const stampUnchanged = (name: string, id: string) => {
    const known = options.knownStamps?.get(name);
    const now = stamps.get(name);
    return (
      known !== undefined &&
      now !== undefined &&
      known[0] === now.bytes &&
      known[1] === now.mtimeMs &&
      !shared.has(id) &&
      options.known?.has(id) === true
    );
  };
  const names: string[] = [];
  for (const name of listed) {
    const id = idOf(name);
    const chosen = articleFile.get(id) as string;
    if (chosen !== name) {
      const rule = isMd(chosen) && !isMd(name) ? 'the .md file is the article' : 'the first by name is the article';
      skipped.push({ file: name, reason: `same article id "${id}" as ${chosen}: ${rule} (rename one to keep both)` });
      continue;
    }
    if (!stampUnchanged(name, id)) names.push(name);
    else {
      unchanged.add(id);
      files.set(id, name);
    }
  }
  for (let i = 0; i < names.length; i += READ_AHEAD) {
    const batch = names.slice(i, i + READ_AHEAD);
    const contents = await Promise.all(
      batch.map((name) => readCapped(join(dir, name), options.maxBytes).catch((error: Error) => error)),
    );
    for (const [j, name] of batch.entries()) {
      const bytes = contents[j];
      if (bytes instanceof Error) {
        skipped.push({ file: name, reason: `cannot be read (${bytes.message})` });
        continue;
      }
      if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
        skipped.push({ file: name, reason: `larger than MAX_ARTICLE_BYTES (${mib(options.maxBytes)})` });
        continue;
      }
      const id = idOf(name);
      const hash = sha256(bytes);
      if (options.known?.get(id) === hash) {
        unchanged.add(id);
        files.set(id, name);
        continue;
      }
      const result = parseArticleFile(name, bytes, hash);
      if ('reason' in result) skipped.push(result);
      else {
        articles.push(result);
        files.set(id, name);
      }
    }
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { articles, unchanged, files, skipped };
}

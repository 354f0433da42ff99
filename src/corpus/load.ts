import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, basename, join } from 'node:path';
import matter from 'gray-matter';
import type { Article } from './article.js';
import { dateFromFrontMatter } from './dates.js';
import { parseArticleText } from './parse.js';

export const ARTICLE_EXTENSIONS = ['.txt', '.md'];

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface LoadedCorpus {
  articles: Article[];
  /** Ids of files whose content hash matched `known`: not parsed. */
  unchanged: Set<string>;
  skipped: SkippedFile[];
}

export interface LoadOptions {
  /** The article files, as listCorpus returns them (listed again when absent). */
  files?: string[];
  /** Content hashes of articles already read; those files are not parsed again. */
  known?: ReadonlyMap<string, string>;
}

export class CorpusError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const READ_AHEAD = 64;

/** Decodes bytes as UTF-8 text, or says why they are not. */
function decodeText(bytes: Buffer): { text: string } | { reason: string } {
  if (bytes.includes(0)) return { reason: 'binary file (contains NUL bytes)' };
  try {
    return { text: utf8.decode(bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n') };
  } catch {
    return { reason: 'not valid UTF-8 text' };
  }
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads one article file. A `.md` file may start with YAML front matter
 * (`title`, `source`, `date`, `url`) that overrides what the text says.
 */
export function parseArticleFile(file: string, bytes: Buffer, hash = sha256(bytes)): Article | SkippedFile {
  const decoded = decodeText(bytes);
  if ('reason' in decoded) return { file, reason: decoded.reason };
  let text = decoded.text;
  let front: Record<string, unknown> = {};
  if (extname(file) === '.md') {
    try {
      const parsed = matter(text);
      text = parsed.content;
      front = parsed.data;
    } catch (error) {
      return { file, reason: `invalid front matter: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  const parsed = parseArticleText(text, { clean: Object.keys(front).length > 0 });
  if (parsed.sentences.length === 0) return { file, reason: 'no article text' };
  const url = stringField(front.url);
  return {
    id: basename(file, extname(file)),
    title: stringField(front.title) || parsed.title,
    outlet: stringField(front.source) || parsed.outlet,
    date: dateFromFrontMatter(front.date) || parsed.date,
    ...(url ? { url } : {}),
    text,
    sentences: parsed.sentences,
    hash,
    file,
  };
}

/**
 * The article files (`.txt`, `.md`) in `dir`, in file-name order.
 *
 * @throws CorpusError when the folder is missing or holds no article files.
 */
export async function listCorpus(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new CorpusError(`Corpus folder not found: ${dir}`);
  }
  const files = names.filter((n) => ARTICLE_EXTENSIONS.includes(extname(n).toLowerCase())).sort();
  if (files.length === 0) {
    throw new CorpusError(`No articles in ${dir}: add .txt or .md files.`);
  }
  return files;
}

/**
 * Loads every `.txt` and `.md` article in `dir`, in file-name order. Files
 * that cannot be read as articles are reported in `skipped`, never fatal.
 *
 * @throws CorpusError when the folder is missing or holds no article files.
 */
export async function loadCorpus(dir: string, { files, known }: LoadOptions = {}): Promise<LoadedCorpus> {
  const names = files ?? (await listCorpus(dir));
  const articles: Article[] = [];
  const unchanged = new Set<string>();
  const skipped: SkippedFile[] = [];
  const seen = new Map<string, string>();
  // Read a few files at a time: disks and network mounts answer faster in parallel.
  for (let i = 0; i < names.length; i += READ_AHEAD) {
    const batch = names.slice(i, i + READ_AHEAD);
    const contents = await Promise.all(batch.map((name) => readFile(join(dir, name))));
    batch.forEach((name, j) => {
      const id = basename(name, extname(name));
      if (seen.has(id)) return void skipped.push({ file: name, reason: `same article id as ${seen.get(id)}` });
      seen.set(id, name);
      const hash = sha256(contents[j]);
      if (known?.get(id) === hash) return void unchanged.add(id);
      const result = parseArticleFile(name, contents[j], hash);
      if ('reason' in result) skipped.push(result);
      else articles.push(result);
    });
  }
  return { articles, unchanged, skipped };
}

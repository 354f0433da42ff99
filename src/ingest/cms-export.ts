import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { findDate } from '../corpus/dates.js';
import { extractPage } from '../corpus/extract.js';
import { UsageError } from '../errors.js';
import { IngestRefusedError } from './errors.js';
import type { WebArticle } from './store.js';

/**
 * The fields read from each row of a CMS export, and the names they may
 * have (the first one present wins). README documents the same table.
 */
export const EXPORT_FIELDS = {
  title: ['title', 'headline'],
  body: ['body', 'text', 'content_text'],
  html: ['html', 'content', 'body_html'],
  date: ['date', 'published', 'published_at', 'datePublished'],
  url: ['url', 'link', 'canonical'],
  outlet: ['outlet', 'source', 'site', 'publisher'],
  author: ['author', 'byline'],
} as const;

type Row = Record<string, unknown>;

function field(row: Row, names: readonly string[]): string {
  for (const name of names) {
    const value = row[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return '';
}

/** One row as an article: its `body` as paragraphs, or its `html` read as a page is. */
function rowArticle(row: Row, where: string): WebArticle {
  const html = field(row, EXPORT_FIELDS.html);
  const body = field(row, EXPORT_FIELDS.body);
  const url = field(row, EXPORT_FIELDS.url);
  let canonical: string | undefined;
  if (url) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') canonical = parsed.href;
    } catch {
      throw new IngestRefusedError(where, 'export', `"${url}" is not a URL`);
    }
  }
  const page = html && !body ? extractPage(html, canonical) : undefined;
  const paragraphs = body
    ? body
        .replace(/\r\n?/g, '\n')
        .split(/\n\s*\n|\n/)
        .map((p) => p.trim())
        .filter(Boolean)
    : (page?.paragraphs ?? []);
  if (paragraphs.length === 0) throw new IngestRefusedError(where, 'export', 'no body or html field with text');
  const date = field(row, EXPORT_FIELDS.date);
  return {
    title: field(row, EXPORT_FIELDS.title) || page?.title || '',
    outlet: field(row, EXPORT_FIELDS.outlet) || page?.outlet || '',
    date: (/^\d{4}-\d{2}-\d{2}/.exec(date)?.[0] ?? findDate(date)) || page?.date || '',
    author: field(row, EXPORT_FIELDS.author) || page?.author,
    url: canonical ?? page?.canonical,
    from: where,
    paragraphs,
  };
}

/**
 * Reads a CMS export: JSON lines (`.jsonl`, `.ndjson`: one object a line) or
 * CSV with a header row (`.csv`). Each row becomes an article, or a refusal
 * naming the file and line.
 *
 * @throws UsageError when the file cannot be read or is of another kind
 */
export async function readExport(path: string): Promise<(WebArticle | IngestRefusedError)[]> {
  const name = basename(path);
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    throw new UsageError(`Cannot read the export ${path}: ${(error as Error).message}`);
  }
  const kind = extname(path).toLowerCase();
  const rows: { row: Row | undefined; line: number; problem?: string }[] = [];
  if (kind === '.jsonl' || kind === '.ndjson') {
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      try {
        const value = JSON.parse(line);
        rows.push(
          value && typeof value === 'object' && !Array.isArray(value)
            ? { row: value as Row, line: i + 1 }
            : { row: undefined, line: i + 1, problem: 'not a JSON object' },
        );
      } catch (error) {
        rows.push({ row: undefined, line: i + 1, problem: `not JSON (${(error as Error).message})` });
      }
    }
  } else if (kind === '.csv') {
    let records: Row[];
    try {
      records = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, trim: false });
    } catch (error) {
      throw new UsageError(`The export ${path} is not valid CSV: ${(error as Error).message}`);
    }
    // Line numbers count the header as line 1 (a row spanning lines is named by its first record number).
    for (const [i, row] of records.entries()) rows.push({ row, line: i + 2 });
  } else {
    throw new UsageError(`Exports are read from .jsonl, .ndjson or .csv files, not ${name}.`);
  }
  return rows.map(({ row, line, problem }) => {
    const where = `${name}:${line}`;
    if (!row) return new IngestRefusedError(where, 'export', problem ?? 'unreadable row');
    try {
      return rowArticle(row, where);
    } catch (error) {
      if (error instanceof IngestRefusedError) return error;
      throw error;
    }
  });
}

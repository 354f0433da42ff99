import { readFile } from 'node:fs/promises';
import { errnoCode, UserError } from './errors.js';

/** A file given on the command line (a question list, a question set) that cannot be read as text. */
export class InputFileError extends UserError {
  override readonly name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
    what: string,
  ) {
    super(`Cannot read ${what} ${file}: ${reason}.`);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as UTF-8 text (a byte-order mark dropped, line ends as \n), or says why they are not. */
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

/**
 * The UTF-8 text of a file the user named, or one line saying why it cannot
 * be had (missing, a folder, binary, not UTF-8: decodeText, as for articles)
 * instead of a stack trace. `what` names the file's role in the message
 * ("the question list").
 */
export async function readTextFile(file: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined) throw error;
    throw new InputFileError(file, REASONS[code] ?? code, what);
  }
  const decoded = decodeText(bytes);
  if ('reason' in decoded) throw new InputFileError(file, decoded.reason, what);
  return decoded.text;
}

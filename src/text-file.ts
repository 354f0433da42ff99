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

/**
 * The UTF-8 text of a file the user named, or one line saying why it cannot
 * be had (missing, a folder, binary, not UTF-8) instead of a stack trace.
 * `what` names the file's role in the message ("the question list").
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
  if (bytes.includes(0)) throw new InputFileError(file, 'it is a binary file, not text', what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new InputFileError(file, 'it is not UTF-8 text', what);
  }
}

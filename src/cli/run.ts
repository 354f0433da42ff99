import { ConfigError } from '../config.js';
import { CorpusError } from '../corpus/load.js';
import { ModelNotFoundError } from '../embedding/embedder.js';
import { IndexWriteError } from '../index/build.js';
import { IndexLockedError, IndexNotFoundError } from '../index/location.js';
import { IndexFormatError } from '../index/open.js';
import { ModelMismatchError } from '../answering/load.js';
import { redactSecrets } from '../log.js';

/** Errors a user can fix: shown as one line, without a stack trace. */
const USER_ERRORS = [
  ConfigError,
  CorpusError,
  ModelNotFoundError,
  IndexWriteError,
  IndexLockedError,
  IndexNotFoundError,
  IndexFormatError,
  ModelMismatchError,
];

export class UsageError extends Error {}

/** Runs a command-line entry point: known errors become a clear message and exit code 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const known = error instanceof UsageError || USER_ERRORS.some((E) => error instanceof E);
    const message = known ? (error as Error).message : String((error as Error)?.stack ?? error);
    process.stderr.write(`Error: ${redactSecrets(message)}\n`);
    process.exitCode = 1;
  });
}

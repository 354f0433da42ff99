import { UserError } from '../errors.js';
import { redactSecrets } from '../log.js';

/**
 * Runs a command-line entry point. A UserError (a setting, a missing folder,
 * a model to fetch) is printed as its one line; anything else is a bug and
 * is printed with its stack. Either way the exit code is 1.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof UserError ? error.message : String((error as Error)?.stack ?? error);
    process.stderr.write(`Error: ${redactSecrets(message)}\n`);
    process.exitCode = 1;
  });
}

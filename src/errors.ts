/**
 * An error the person running the program can fix: a setting, a missing
 * folder or model, an index to rebuild. Its message is one line that says
 * what to do; the command line prints it without a stack trace. Any other
 * error is a bug and is printed with its stack.
 *
 * Every layer's user-facing errors extend it, with a `name` of their own and
 * the fields a caller needs to act on them (as grammY's `GrammyError` does).
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** A command was called the wrong way (a missing question, an option out of range). */
export class UsageError extends UserError {
  override readonly name = 'UsageError';
}

/** The error's code when it came from the file system (ENOENT, ENOSPC, …). */
export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

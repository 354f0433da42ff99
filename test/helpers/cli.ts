import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts one of our command-line entry points (src/cli/NAME.ts) as its own process. */
export function startCli(name: string, args: string[], env: NodeJS.ProcessEnv, input?: string): ChildProcess {
  // Node itself with tsx's loader (not the tsx wrapper), so a signal reaches the program.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli', `${name}.ts`), ...args], {
    cwd: ROOT,
    env,
    stdio: 'pipe',
  });
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return child;
}

/**
 * An entry point running as its own process (startCli), keeping what it has
 * printed so far on both streams in `output`.
 */
export class CliProcess {
  readonly child: ChildProcess;
  output = '';

  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = startCli(name, args, env);
    this.child.stdout?.on('data', (d) => (this.output += d));
    this.child.stderr?.on('data', (d) => (this.output += d));
  }

  /** Waits until it has printed `text`; throws with all it printed when it ends first or `ms` pass. */
  async printed(text: string, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`${this.name} did not print ${JSON.stringify(text)}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` and waits until the process has closed: its exit code (at once when it had ended). */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    return stopProcess(this.child, signal);
  }
}

/** Sends `signal` to a child process and waits until it has closed: its exit code (at once when it had ended). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('close', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Runs an entry point to its end and collects what it printed. */
export function runCli(name: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(name, args, env, input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last line of a command's standard output, parsed as JSON. */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const text = stdout.trim();
  return JSON.parse(text.slice(text.lastIndexOf('\n') + 1));
}

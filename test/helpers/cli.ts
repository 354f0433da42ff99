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

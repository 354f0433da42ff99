import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UserError } from '../../errors.js';
import type { Logger } from '../../log.js';

/** DATA_DIR cannot hold the state store (a file in its place, no permission). */
export class StateStoreError extends UserError {
  override readonly name = 'StateStoreError';

  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`The bot's state cannot be kept in ${path}: ${reason}. Point DATA_DIR at a folder the bot may write to.`);
  }
}

/**
 * Opens the database in a child process and reads every entry of every
 * store in it. LMDB maps the file into memory and trusts it: a truncated
 * file ends the process with SIGBUS, overwritten meta pages with SIGSEGV,
 * before any line is logged. The child takes that crash instead.
 */
const PROBE = `
const { open } = require(process.argv[1]);
const root = open({ path: process.argv[2], readOnly: true, compression: false });
for (const name of [...root.getKeys()]) {
  if (typeof name !== 'string') continue;
  for (const entry of root.openDB({ name }).getRange({})) void entry.value;
}
root.close();
`;

/** How long the probe may take (a large, healthy store is read in well under this). */
const PROBE_TIMEOUT_MS = 60_000;

function probe(path: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const lmdb = createRequire(import.meta.url).resolve('lmdb');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE, lmdb, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (error) => resolve({ ok: false, reason: error.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ok: true });
      const message = stderr.match(/^\w*Error: .*$/m)?.[0] ?? stderr.trim().split('\n').pop() ?? '';
      resolve({ ok: false, reason: signal ? `reading it crashed the process (${signal})` : message });
    });
  });
}

/**
 * Checks the embedded state database (`DATA_DIR/state.lmdb`) before it is
 * opened. A damaged one is moved aside to `state.lmdb.damaged-<time>`, named
 * in one log line, and the bot starts with a fresh state: buttons already
 * sent expire and follow-ups are forgotten, nothing else is lost.
 *
 * @throws StateStoreError when DATA_DIR is not a folder.
 */
export async function checkStateFile(dataDir: string, file: string, logger: Logger): Promise<void> {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory())
    throw new StateStoreError(dataDir, 'it is a file, not a folder');
  if (!existsSync(file)) return;
  if (!statSync(file).isFile()) throw new StateStoreError(file, 'it is not a regular file');
  const result = await probe(file);
  if (result.ok) return;
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  rmSync(`${file}-lock`, { force: true }); // the readers' table of the damaged file
  logger.error(
    { file, movedTo: aside, reason: result.reason },
    `state database damaged (${result.reason}): moved to ${aside}; starting with a fresh state (buttons already sent expire, follow-ups are forgotten)`,
  );
}

/**
 * Compiles src/ into dist/ (tsc with tsconfig.build.json) and copies what tsc
 * does not (the Fluent texts). The compiled tree is written beside dist/ and
 * moved into place whole, so a process starting meanwhile never reads half of
 * it, and two processes building at once do not write into each other's.
 *
 *   node bin/build.js           build
 *   node bin/build.js --if-stale  build only when dist/ is missing or older than src/
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const SRC = join(ROOT, 'src');
/** Written last: its time is the build's, and a dist/ without it is not a finished build. */
const STAMP = '.built';
/** Files besides src/ whose change changes the build. */
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestTime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestTime(join(path, entry)));
  return newest;
}

/** Whether dist/ must be (re)built: missing, unfinished, or older than the sources (when the sources are here). */
export function isStale() {
  const stamp = join(DIST, STAMP);
  if (!existsSync(stamp)) return true;
  if (!existsSync(SRC)) return false; // an image that ships dist/ only
  const built = statSync(stamp).mtimeMs;
  return (
    newestTime(SRC) > built ||
    INPUTS.some((file) => existsSync(join(ROOT, file)) && newestTime(join(ROOT, file)) > built)
  );
}

export function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('dist/ is missing or out of date and TypeScript is not installed: run npm ci, then npm run build');
  }
  const staging = join(ROOT, `.dist-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], {
      stdio: 'inherit',
    });
    cpSync(join(SRC, 'i18n/locales'), join(staging, 'i18n/locales'), { recursive: true });
    writeFileSync(join(staging, STAMP), `${new Date().toISOString()}\n`);
    const old = join(ROOT, `.dist-old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(staging, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds unless dist/ is up to date; one process at a time (the others wait for its build). */
export function ensureBuilt() {
  if (!isStale()) return;
  const lock = join(ROOT, '.dist-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process is building; a lock older than the deadline was left by a killed build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held by another build: remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isStale()) {
      process.stderr.write('Compiling src/ into dist/ (npm run build)…\n');
      build();
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--if-stale')) ensureBuilt();
    else build();
  } catch (error) {
    process.stderr.write(`Error: ${error.message}\n`);
    process.exitCode = 1;
  }
}

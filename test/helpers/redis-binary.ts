import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * Where the tests find a `redis-server` when the machine has none: Debian's
 * packages unpacked (no root, no install) into the checkout's npm cache, and
 * reused by every later run.
 */
export const REDIS_CACHE = join(ROOT, 'node_modules/.cache/redis');

/** How to run redis-server: the program and the environment it needs (its libraries when unpacked here). */
export interface RedisBinary {
  command: string;
  env: NodeJS.ProcessEnv;
}

/** The environment variable that carries the answer from the global set-up to the test workers. */
export const REDIS_BINARY_ENV = 'TEST_REDIS_SERVER';
/** …or why none could be had, so that the tests needing it fail saying so. */
export const REDIS_MISSING_ENV = 'TEST_REDIS_SERVER_MISSING';

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, program);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function unpacked(): RedisBinary | undefined {
  const command = join(REDIS_CACHE, 'root/usr/bin/redis-server');
  if (!existsSync(command)) return undefined;
  const lib = join(REDIS_CACHE, 'root/usr/lib');
  // Debian puts the libraries under the architecture's triplet (x86_64-linux-gnu, aarch64-linux-gnu…).
  const libraries = readdirSync(lib)
    .filter((name) => name.endsWith('-linux-gnu'))
    .map((name) => join(lib, name));
  const inherited = process.env.LD_LIBRARY_PATH;
  return { command, env: { LD_LIBRARY_PATH: [...libraries, ...(inherited ? [inherited] : [])].join(delimiter) } };
}

/**
 * Fetches redis-server and the libraries this machine lacks from Debian's
 * package servers with apt-get, using a private package list (so no root and
 * no change to the system), and unpacks them with dpkg -x.
 */
function fetchFromDebian(): void {
  const work = join(REDIS_CACHE, 'apt');
  rmSync(REDIS_CACHE, { recursive: true, force: true });
  for (const dir of ['state/lists/partial', 'cache/archives/partial', 'debs']) {
    mkdirSync(join(work, dir), { recursive: true });
  }
  const apt = (args: string[], cwd = work) =>
    execFileSync(
      'apt-get',
      [
        '-q',
        '-o',
        `Dir::State=${join(work, 'state')}`,
        '-o',
        'Dir::State::status=/var/lib/dpkg/status',
        '-o',
        `Dir::Cache=${join(work, 'cache')}`,
        '-o',
        'Debug::NoLocking=1',
        '-o',
        'APT::Sandbox::User=root',
        ...args,
      ],
      { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 },
    );
  apt(['update']);
  // What installing it would add to this machine: the server and whichever of its libraries are missing.
  const plan = apt(['-s', '--no-install-recommends', 'install', 'redis-server']);
  const packages = [...plan.matchAll(/^Inst (\S+)/gm)].map((m) => m[1] as string);
  if (packages.length === 0) throw new Error('apt-get found nothing to fetch for redis-server');
  apt(['download', ...packages], join(work, 'debs'));
  for (const deb of readdirSync(join(work, 'debs')).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', join(work, 'debs', deb), join(REDIS_CACHE, 'root')], { stdio: 'ignore' });
  }
  rmSync(work, { recursive: true, force: true });
}

/**
 * A redis-server for the tests: the one on PATH, else the one unpacked in the
 * cache, else one fetched now (one line says so). Throws one line naming what
 * to install when none can be had.
 */
export function findRedisServer(log: (line: string) => void = console.log): RedisBinary {
  const installed = onPath('redis-server');
  if (installed) return { command: installed, env: {} };
  const cached = unpacked();
  if (cached) return cached;
  log(`redis-server is not on PATH: fetching Debian's redis-server into ${REDIS_CACHE} (once)`);
  try {
    fetchFromDebian();
  } catch (error) {
    const reason = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (error as Error).message;
    throw new Error(
      `The Redis tests need redis-server: install it (apt-get install redis-server) or give apt-get access to Debian's package servers (${reason})`,
    );
  }
  const fetched = unpacked();
  if (!fetched)
    throw new Error(
      `redis-server was fetched but not found in ${REDIS_CACHE}: install it (apt-get install redis-server)`,
    );
  return fetched;
}

/** The redis-server the global set-up found, for a test worker; throws the set-up's reason when there is none. */
export function redisBinaryForTests(): RedisBinary {
  const missing = process.env[REDIS_MISSING_ENV];
  if (missing) throw new Error(missing);
  const found = process.env[REDIS_BINARY_ENV];
  return found ? (JSON.parse(found) as RedisBinary) : findRedisServer();
}

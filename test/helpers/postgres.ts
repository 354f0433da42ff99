import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './paths.js';

/**
 * A real PostgreSQL 18 with pgvector 0.8 for the tests: PGlite (PostgreSQL
 * compiled to WebAssembly, from npm) served over the wire protocol on a free
 * loopback port by pglite-socket, in a process of its own (pglite-server.ts),
 * so that the program under test, and bot processes the test starts, reach
 * it with the production driver as they would any server. Nothing is
 * installed on the machine.
 *
 * One PGlite is one backend session shared by every connection: LISTEN/NOTIFY
 * across connections and concurrent transactions cannot be tested on it (the
 * engine's polling fallback is).
 */
export interface TestPostgres {
  /** postgres://… for DATABASE_URL. */
  url: string;
  port: number;
  /** Drops everything the program created, leaving an empty database (with the vector extension available). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How long a busy 2-core machine may take to load the WebAssembly PostgreSQL
 * (PGLITE_START_TIMEOUT_MS: a benchmark's kept 10,000-article database, a
 * 1.4 GB tarball, takes longer).
 */
const START_TIMEOUT_MS = Number(process.env.PGLITE_START_TIMEOUT_MS) || 120_000;

function launch(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/pglite-server.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the PGlite server (test/helpers/pglite-server.ts) did not start in time: ${output}`));
    }, START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      output += d;
      const ready = /READY (\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, port: Number(ready[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      output += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the PGlite server exited with ${code} (is @electric-sql/pglite installed? npm ci): ${output}`));
    });
  });
}

/**
 * Starts a PostgreSQL for a test file. `vector: false` serves one where the vector extension cannot be created;
 * `dataFile`: start from the data directory saved there, if any, and save it there when stopped (benchmarks).
 */
export async function startPostgres({
  vector = true,
  dataFile,
  sharedBuffers,
}: {
  vector?: boolean;
  dataFile?: string;
  /** PostgreSQL's shared_buffers (e.g. '1GB'; PGlite's default: 128MB): benchmarks size it to their database. */
  sharedBuffers?: string;
} = {}): Promise<TestPostgres> {
  const { child, port } = await launch([
    ...(vector ? [] : ['--no-vector']),
    ...(dataFile ? ['--load', dataFile, '--save', dataFile] : []),
    ...(sharedBuffers ? ['--shared-buffers', sharedBuffers] : []),
  ]);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async reset() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('DROP SCHEMA public CASCADE');
        await client.query('CREATE SCHEMA public');
        if (vector) await client.query('DROP EXTENSION IF EXISTS vector CASCADE');
      } finally {
        await client.end();
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        // Saving a data directory (dataFile) takes a while: several seconds per 100 MiB.
        setTimeout(() => child.kill('SIGKILL'), dataFile ? 600_000 : 5000).unref();
      }),
  };
}

/**
 * A real PostgreSQL (PGlite: PostgreSQL compiled to WebAssembly) with pgvector,
 * served over the wire protocol on a loopback port, run as its own process
 * (see postgres.ts): the program under test connects to it with its ordinary
 * driver, as to any server. Prints `READY <port>` once it listens.
 *
 *   node --import tsx test/helpers/pglite-server.ts [--port N] [--no-vector] [--load FILE] [--save FILE]
 *
 * `--no-vector` serves a database without the vector extension available
 * (to test the message a server without pgvector gets). `--load` starts from
 * a data directory saved by `--save` (a tarball written when the server is
 * stopped): the benchmarks measure reads again without building again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const withVector = !args.includes('--no-vector');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const load = option('--load');
const save = option('--save');

const db = await PGlite.create({
  ...(withVector ? { extensions: { vector } } : {}),
  ...(load && existsSync(load) ? { loadDataDir: new Blob([readFileSync(load)]) } : {}),
});
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
keepProtocolCyclesWhole(server);
await server.start();
const conn = server.getServerConn();
process.stdout.write(`READY ${conn.slice(conn.lastIndexOf(':') + 1)}\n`);

const stop = async () => {
  await server.stop();
  if (save) writeFileSync(save, Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()));
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/** One message of a connection, as pglite-socket's query queue holds it. */
interface Queued {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

/** The part of pglite-socket's (unexported) query queue this file changes. */
interface QueryQueue {
  queue: Queued[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Frontend messages of the extended query protocol that open or continue a cycle ended by Sync ('S'). */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);

/**
 * pglite-socket runs its connections' messages one at a time in one session,
 * taking turns message by message: a query of one connection (Parse, Bind,
 * Execute, Sync) could be cut by another's, whose Parse replaces the unnamed
 * statement (a large INSERT beside a small poll failed with "bind message
 * supplies 9 parameters, but prepared statement requires 2"). Here a
 * connection that has begun an extended-protocol cycle keeps its turn until
 * its Sync, as it keeps it during a transaction: each query runs whole, as on
 * a server with a session per connection.
 */
function keepProtocolCyclesWhole(socketServer: PGLiteSocketServer): void {
  const queue = (socketServer as unknown as { queryQueue: QueryQueue }).queryQueue;
  let cycleOwner: number | null = null;
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    clear(handlerId);
    if (cycleOwner === handlerId) {
      cycleOwner = null;
      void queue.processQueue();
    }
  };
  queue.processQueue = async function (this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = cycleOwner ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const at = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        if (at === -1) break; // the owner's next message will start the queue again (enqueue)
        const [item] = this.queue.splice(at, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        const type = item.message[0];
        if (type === SYNC) cycleOwner = null;
        else if (EXTENDED.has(type)) cycleOwner = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
}

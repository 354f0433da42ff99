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
import { PGLiteSocketHandler, PGLiteSocketServer } from '@electric-sql/pglite-socket';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const withVector = !args.includes('--no-vector');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const load = option('--load');
const save = option('--save');
const sharedBuffers = option('--shared-buffers');

const db = await PGlite.create({
  ...(withVector ? { extensions: { vector } } : {}),
  ...(load && existsSync(load) ? { loadDataDir: new Blob([readFileSync(load)]) } : {}),
  ...(sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] } : {}),
});
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
keepProtocolCyclesWhole(server);
runCyclesAtOnce();
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
/** A frontend message: its type, its length (itself included), its body. */
function message(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const SYNC_MESSAGE = new Uint8Array(message(SYNC));

/** A simple-protocol Query message. */
const simpleQuery = (text: string) => message('Q'.charCodeAt(0), Buffer.from(`${text}\0`));

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
  // Connections gone: never given the turn again.
  const closed = new Set<number>();
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    clear(handlerId);
    closed.add(handlerId);
    // Its prepared statements go with it, as on a server (the session is everyone's).
    const names = prepared.get(handlerId);
    prepared.delete(handlerId);
    if (names?.size)
      queue.queue.push({
        handlerId,
        // A query each: one that fails (its Parse had failed) does not stop the others.
        message: new Uint8Array(
          Buffer.concat([...names].map((name) => simpleQuery(`DEALLOCATE "${name.replaceAll('"', '""')}"`))),
        ),
        onData: () => undefined,
        resolve: () => undefined,
        reject: () => undefined,
      });
    if (cycleOwner === handlerId) cycleOwner = null;
    void queue.processQueue();
  };
  queue.processQueue = async function (this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const turn = cycleOwner ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const owner = turn !== null && closed.has(turn) && !this.queue.some((q) => q.handlerId === turn) ? null : turn;
        const at = owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === owner);
        if (at === -1) break; // the owner's next message will start the queue again (enqueue)
        const [item] = this.queue.splice(at, 1);
        // The replies written at once, as a server flushes its output buffer, not a socket write per message.
        const replies: Uint8Array[] = [];
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => replies.push(data.slice()),
            }),
          );
        } catch (error) {
          item.reject(error);
          continue;
        }
        const reply = Buffer.concat(replies);
        if (reply.length > 0) item.onData(reply);
        this.lastHandlerId = item.handlerId;
        const type = lastType.get(item.message) ?? item.message[0];
        if (type === SYNC) cycleOwner = null;
        else if (EXTENDED.has(type)) cycleOwner = item.handlerId;
        // A connection gone in the middle of a cycle: ended with a Sync, as a server ends its session.
        if (cycleOwner === item.handlerId && closed.has(item.handlerId)) {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => undefined }));
          cycleOwner = null;
        }
        item.resolve(reply.length);
      }
    } finally {
      this.processing = false;
    }
  };
}

/** The part of pglite-socket's connection handler (PGLiteSocketHandler) that runCyclesAtOnce replaces or uses. */
interface Handler {
  id: number;
  /** Set here once its startup message has gone. */
  started?: boolean;
  socket: import('node:net').Socket | null;
  active: boolean;
  messageBuffer: Buffer;
  queryQueue: { enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> };
  handleSslRequest(): boolean;
  handleCancelRequest(): boolean;
  handleData(data: Buffer): Promise<number>;
}

/** Messages that end what a client sends before it waits for the reply: Sync, a simple Query, Terminate. */
const ENDS_CYCLE = new Set(['S', 'Q', 'X'].map((c) => c.charCodeAt(0)));

/**
 * pglite-socket hands PGlite a connection's messages one by one, each its
 * own turn of the queue (Parse, Bind, Describe, Execute, Sync: five turns a
 * query). A server reads what the client sent in one go: here the messages
 * a client sent together, up to the one it then waits on (Sync, Query), go
 * to PGlite at once, which answers them in order as a server does (after an
 * error it skips to the Sync, as a server does). Only whole messages go;
 * the rest waits for more bytes.
 */
function runCyclesAtOnce(): void {
  const proto = PGLiteSocketHandler.prototype as unknown as Handler;
  proto.handleData = async function (this: Handler, data: Buffer) {
    if (!this.socket || !this.active) return 0;
    this.messageBuffer = Buffer.concat([this.messageBuffer, data]);
    let sent = 0;
    while (this.messageBuffer.length > 0) {
      const startup = !this.started;
      // Before the startup message only: a request for SSL (answered no) or to cancel (ignored).
      if (startup && (this.handleSslRequest() || this.handleCancelRequest())) continue;
      const { length, last } = wholeMessages(this.messageBuffer, startup);
      if (length === 0) break;
      this.started = true;
      const batch = this.messageBuffer.subarray(0, length);
      const messages = new Uint8Array(startup ? batch : ownStatementNames(batch, this.id));
      this.messageBuffer = this.messageBuffer.subarray(length);
      lastType.set(messages, last);
      let failed: Error | undefined;
      sent += await this.queryQueue.enqueue(this.id, messages, (reply) => {
        if (this.socket?.writable && this.active)
          this.socket.write(reply, (error) => {
            if (error) failed = error;
          });
      });
      if (failed) throw failed;
    }
    return sent;
  };
}

/** The type of the last message in each batch runCyclesAtOnce queues (0: the startup message). */
const lastType = new WeakMap<Uint8Array, number>();

/**
 * The length of `buffer`'s leading whole messages, up to and including the
 * first that ends a cycle (0: none whole yet), and the last one's type. The
 * startup message (a connection's first: no type byte) goes alone.
 */
function wholeMessages(buffer: Buffer, startup: boolean): { length: number; last: number } {
  if (startup) {
    const length = buffer.length >= 4 ? buffer.readInt32BE(0) : Number.POSITIVE_INFINITY;
    return buffer.length >= length ? { length, last: 0 } : { length: 0, last: 0 };
  }
  let at = 0;
  let last = 0;
  while (at + 5 <= buffer.length) {
    const end = at + 1 + buffer.readInt32BE(at + 1);
    if (end > buffer.length) break;
    last = buffer[at];
    at = end;
    if (ENDS_CYCLE.has(last)) break;
  }
  return { length: at, last };
}

/** The statements each connection prepared, by their names in PGlite's session (ownStatementNames). */
const prepared = new Map<number, Set<string>>();

const PARSE = 'P'.charCodeAt(0);
const BIND = 'B'.charCodeAt(0);
const DESCRIBE = 'D'.charCodeAt(0);
const CLOSE = 'C'.charCodeAt(0);
const STATEMENT = 'S'.charCodeAt(0);

/**
 * The messages with each prepared statement's name made the connection's
 * own (`name` becomes `name@<connection>`): on a server a connection's
 * prepared statements are its own, but PGlite's one session holds every
 * connection's, and two connections preparing one name would clash. The
 * unnamed statement (empty name) is left as it is: a cycle runs whole.
 */
function ownStatementNames(batch: Buffer, connection: number): Buffer {
  const out: Buffer[] = [];
  const names = prepared.get(connection) ?? new Set<string>();
  prepared.set(connection, names);
  for (let at = 0; at < batch.length; ) {
    const start = at;
    const type = batch[start];
    const end = start + 1 + batch.readInt32BE(start + 1);
    const body = batch.subarray(start + 5, end);
    at = end;
    // Where the statement's name starts in the body: Parse's first string; Bind's second (after the
    // portal); Describe's and Close's after 'S' (a statement; 'P' names a portal).
    const nameAt =
      type === PARSE
        ? 0
        : type === BIND
          ? body.indexOf(0) + 1
          : (type === DESCRIBE || type === CLOSE) && body[0] === STATEMENT
            ? 1
            : -1;
    const nameEnd = nameAt < 0 ? -1 : body.indexOf(0, nameAt);
    if (nameEnd <= nameAt) {
      out.push(batch.subarray(start, end));
      continue;
    }
    const own = `${body.toString('utf8', nameAt, nameEnd)}@${connection}`;
    if (type === PARSE) names.add(own);
    out.push(message(type, Buffer.concat([body.subarray(0, nameAt), Buffer.from(own), body.subarray(nameEnd)])));
  }
  return Buffer.concat(out);
}

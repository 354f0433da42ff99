/**
 * A real PostgreSQL (PGlite: PostgreSQL compiled to WebAssembly) with pgvector,
 * served over the wire protocol on a loopback port, run as its own process
 * (see postgres.ts): the program under test connects to it with its ordinary
 * driver, as to any server. Prints `READY <port>` once it listens.
 *
 *   node --import tsx test/helpers/pglite-server.ts [--port N] [--no-vector]
 *
 * `--no-vector` serves a database without the vector extension available
 * (to test the message a server without pgvector gets).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const withVector = !args.includes('--no-vector');

const db = await PGlite.create(withVector ? { extensions: { vector } } : {});
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
await server.start();
const conn = server.getServerConn();
process.stdout.write(`READY ${conn.slice(conn.lastIndexOf(':') + 1)}\n`);

const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

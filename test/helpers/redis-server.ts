import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis.js';

/**
 * A real Redis server for the tests of one file: started before them and
 * stopped after, every client made with `connect` closed first.
 */
export function redisServerForTests(): { connect(): Redis } {
  let server: TestRedis | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  return {
    connect() {
      if (!server) throw new Error('the Redis server is started in beforeAll: connect from a test');
      const client = new Redis(server.url);
      clients.push(client);
      return client;
    },
  };
}

/**
 * A child process for the lock race tests: on {lock: dir} it tries to take
 * the build lock and reports; on {unlock} it lets go.
 */
import { lockIndexDir } from '../../src/search/local/location.js';

let release: (() => Promise<void>) | undefined;

process.on('message', async (message: { ping?: boolean; lock?: string; unlock?: boolean }) => {
  const reply = (value: unknown) => process.send?.(value);
  if (message.ping) return reply({ got: false });
  if (message.unlock) {
    await release?.();
    release = undefined;
    return reply({ got: false });
  }
  if (message.lock) {
    try {
      release = await lockIndexDir(message.lock);
      reply({ got: true });
    } catch (error) {
      reply({ got: false, error: (error as Error).name });
    }
  }
});

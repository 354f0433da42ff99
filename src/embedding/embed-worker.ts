/**
 * A child process of TransformersEmbedder.embedPassages: loads the same model,
 * embeds its share of the passages and appends their vectors, batch after
 * batch, to its own file (the parent puts the rows in place).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createEmbedder, type EmbedJob, type EmbedMessage } from './embedder.js';

const PROGRESS_EVERY = 64;

process.once('message', async (job: EmbedJob) => {
  const embedder = await createEmbedder({ ...job.options, threads: 1 });
  const fd = openSync(job.file, 'w');
  let next = 0;
  let unreported = 0;
  for (const [b, size] of job.sizes.entries()) {
    const vectors = await embedder.embedPassages(job.texts.slice(next, next + size));
    next += size;
    for (const v of vectors) writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    unreported += size;
    if (b % PROGRESS_EVERY === PROGRESS_EVERY - 1) {
      process.send?.({ done: unreported } satisfies EmbedMessage);
      unreported = 0;
    }
  }
  closeSync(fd);
  if (unreported) process.send?.({ done: unreported } satisfies EmbedMessage);
  process.send?.({ spent: embedder.spent } satisfies EmbedMessage);
  process.disconnect?.();
});

/**
 * Experiment helper (issue 23 item 4): embeds texts with the configured
 * model (the built-in one by default), as answering embeds questions and
 * sentences. Reads JSON lines {"texts": [...]}, writes every vector, float32
 * row after row, in input order, to the file given.
 *
 *   node --import tsx scripts/semantic/embed-lines.ts out.f32 < texts.jsonl
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { openEmbedder } from '../../src/cli/setup.js';
import { loadConfig } from '../../src/config.js';

const embedder = await openEmbedder(loadConfig());
const out = createWriteStream(process.argv[2]);
let pending: string[] = [];
const flush = async () => {
  for (const v of await embedder.embedPassages(pending)) out.write(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  pending = [];
};
for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
  if (!line.trim()) continue;
  pending.push(...JSON.parse(line).texts);
  if (pending.length >= 2048) await flush();
}
await flush();
out.end();

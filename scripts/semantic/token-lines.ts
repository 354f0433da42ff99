/**
 * Experiment helper (issue 23 item 4): each text's content words (as
 * src/answering/alignment.ts takes them: normalized, stop words out) and their
 * token ids in the built-in static model, then the unit-length rows of every
 * id used, for training a word-alignment model outside TypeScript.
 *
 *   node --import tsx scripts/semantic/token-lines.ts out-prefix < texts.jsonl
 *
 * Writes out-prefix.jsonl ({"words": [[...]], "ids": [[[id, ...] per word] per text]}) and
 * out-prefix.rows (float32 rows, ids × dimension, for the ids in out-prefix.ids.json's order).
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { isStopWord, words } from '../../src/arabic/tokens.js';
import { openEmbedder } from '../../src/cli/setup.js';
import { loadConfig } from '../../src/config.js';

const embedder = await openEmbedder(loadConfig());
if (!embedder.tokens) throw new Error('the configured model is not static: its tokens cannot be looked up alone');
const prefix = process.argv[2];
const out = createWriteStream(`${prefix}.jsonl`);
const used = new Set<number>();
let table: Awaited<ReturnType<NonNullable<typeof embedder.tokens>>> | undefined;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
  if (!line.trim()) continue;
  const texts: string[] = JSON.parse(line).texts;
  const content = texts.map((t) => words(t).filter((w) => !isStopWord(w)));
  table = await embedder.tokens(content.flat());
  let at = 0;
  const ids = content.map((ws) => ws.map(() => table?.ids[at++].filter((id) => !table?.empty.has(id)) ?? []));
  for (const id of ids.flat(2)) used.add(id);
  out.write(`${JSON.stringify({ words: content, ids })}\n`);
}
out.end();
const order = [...used].sort((a, b) => a - b);
const dim = table?.dimension ?? 0;
const rows = new Float32Array(order.length * dim);
for (const [i, id] of order.entries())
  for (let k = 0; k < dim; k++) rows[i * dim + k] = (table?.rows[id * dim + k] ?? 0) * (table?.scales[id] ?? 0);
await writeFile(`${prefix}.rows`, Buffer.from(rows.buffer));
await writeFile(`${prefix}.ids.json`, JSON.stringify(order));

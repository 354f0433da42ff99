import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitSentences } from '../src/arabic/sentences.js';
import { readDataset, writeArticles } from '../src/eval/datasets.js';
import { ARCD } from '../test/helpers/paths.js';
import { seededRandom } from './random.js';

/** The five seed articles, copied. */
export function seedCorpus(dir: string): string {
  cpSync(join(import.meta.dirname, '../corpus'), dir, { recursive: true });
  return dir;
}

/** The 77 ARCD articles as front-matter Markdown files. */
export async function arcdCorpus(dir: string): Promise<string> {
  const dataset = await readDataset(ARCD);
  await writeArticles(dir, dataset.articles ?? []);
  return dir;
}

/** Every real sentence we have: seed articles and ARCD paragraphs. */
async function realSentences(): Promise<string[]> {
  const sentences: string[] = [];
  const seed = join(import.meta.dirname, '../corpus');
  for (const f of readdirSync(seed))
    sentences.push(...splitSentences(readFileSync(join(seed, f), 'utf8')).map((s) => s.text));
  const dataset = await readDataset(ARCD);
  for (const a of dataset.articles ?? [])
    sentences.push(...splitSentences(a.markdown.replace(/^---[\s\S]*?---\n/, '')).map((s) => s.text));
  return sentences.filter((s) => s.length > 20);
}

/**
 * `count` synthetic articles of `perArticle` real sentences each, recombined
 * with a fixed pseudo-random sequence (the same corpus on every run).
 */
export async function syntheticCorpus(dir: string, count: number, perArticle = 6): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const sentences = await realSentences();
  const random = seededRandom(12345);
  for (let i = 0; i < count; i++) {
    const body = Array.from({ length: perArticle }, () => sentences[Math.floor(random() * sentences.length)]).join(
      '\n',
    );
    writeFileSync(join(dir, `syn-${String(i).padStart(6, '0')}.txt`), `خبر تجريبي رقم ${i}\n${body}\n`);
  }
  return dir;
}

/**
 * Experiment helper (issue 23 item 4): reads JSON lines and writes them back
 * analysed the way answering analyses text, so that the Python training and
 * evaluation (train_translation.py) see the same terms as src/ does.
 *
 *   {"title": "...", "body": "..."}  → {"title": [words], "titleTerms": [terms], "sentences": [{"text", "words", "terms"}]}
 *   {"texts": ["...", ...]}          → {"words": [[...]], "terms": [[...]]}
 *
 * words: normalized words (stop words kept: the question word is one); terms:
 * each word's first term from analyze() (light stems, numbers folded).
 */
import { createInterface } from 'node:readline';
import { splitSentences } from '../../src/arabic/sentences.js';
import { analyze, words } from '../../src/arabic/tokens.js';

const terms = (text: string) => analyze(text).map((g) => g[0]);
const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
for await (const line of lines) {
  if (!line.trim()) continue;
  const item = JSON.parse(line);
  let out: unknown;
  if (Array.isArray(item.texts)) {
    out = { words: item.texts.map(words), terms: item.texts.map(terms) };
  } else {
    const sentences = splitSentences(item.body).map((s) => ({
      text: s.text,
      words: words(s.text),
      terms: terms(s.text),
    }));
    out = { title: words(item.title), titleTerms: terms(item.title), sentences };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

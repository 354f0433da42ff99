import { isStopWord, words } from '../arabic/tokens.js';
import type { Embedder, TokenRows } from '../embedding/embedder.js';
import type { TermWeights } from './relevance.js';

/** How well a question's words align with each text: 0 to 1, in the order of the texts. */
export type Alignments = number[];

/**
 * Word-level alignment of a question with texts (ColBERT's MaxSim over a
 * static model's token vectors): each content word of the question finds its
 * closest token in the text (cosine), and the closest cosines are averaged,
 * each word weighing its IDF as coverage weighs it (TermWeights). Unlike the
 * sentence vector, an average of every word, a sentence that says what the
 * question asks in other words («اغتيل» for «قتل») scores high even when its
 * other words are about something else; unlike coverage, a near word counts.
 *
 * All zeros when the model is not static (its tokens cannot be looked up
 * alone) or the question has no content word.
 */
export async function alignments(
  embedder: Pick<Embedder, 'tokens'>,
  question: string,
  weights: TermWeights,
  texts: readonly string[],
): Promise<Alignments> {
  const questionWords = contentWords(question);
  if (!embedder.tokens || questionWords.length === 0) return texts.map(() => 0);
  const distinctTexts = [...new Set(texts)];
  const textWords = distinctTexts.map(contentWords);
  const distinctWords = [...new Set(textWords.flat())];
  const table = await embedder.tokens([...questionWords, ...distinctWords]);
  const { dimension: dim, rows, scales } = table;
  // Each question word's tokens, one row each of `asked`, its weight shared among them (a word split into pieces).
  const askedRows: number[] = [];
  const askedWeights: number[] = [];
  for (const [i, word] of questionWords.entries()) {
    const ids = table.ids[i].filter((id) => scales[id] > 0);
    const weight = weights.weightOfWord(word);
    if (weight > 0)
      for (const id of ids) {
        askedRows.push(id);
        askedWeights.push(weight / ids.length);
      }
  }
  const total = askedWeights.reduce((sum, w) => sum + w, 0);
  if (total === 0) return texts.map(() => 0);
  const n = askedRows.length;
  const asked = new Float32Array(n * dim);
  for (const [j, id] of askedRows.entries())
    for (let k = 0; k < dim; k++) asked[j * dim + k] = rows[id * dim + k] * scales[id];
  // Cosines computed once per distinct token: the candidates share many words.
  const idsOfWord = new Map(distinctWords.map((w, i) => [w, table.ids[questionWords.length + i]]));
  const slot = new Map<number, number>();
  for (const ids of idsOfWord.values()) for (const id of ids) if (!slot.has(id)) slot.set(id, slot.size);
  const cosines = cosinesOf(asked, n, table, [...slot.keys()]);
  const score = new Map<string, number>();
  const best = new Float64Array(n);
  for (const [t, text] of distinctTexts.entries()) {
    best.fill(0); // cosines below 0 count as 0
    for (const word of textWords[t])
      for (const id of idsOfWord.get(word) ?? []) {
        const at = (slot.get(id) ?? 0) * n;
        for (let j = 0; j < n; j++) if (cosines[at + j] > best[j]) best[j] = cosines[at + j];
      }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += askedWeights[j] * best[j];
    score.set(text, sum / total);
  }
  return texts.map((text) => score.get(text) ?? 0);
}

/** A text's words that carry its topic (normalized, stop words dropped): what is aligned. */
function contentWords(text: string): string[] {
  return words(text).filter((w) => !isStopWord(w));
}

/** The cosine of each of `n` question vectors (`asked`, row after row) with each token's row: ids × n, row after row. */
function cosinesOf(asked: Float32Array, n: number, table: TokenRows, ids: readonly number[]): Float32Array {
  const { dimension: dim, rows, scales } = table;
  const out = new Float32Array(ids.length * n);
  for (let i = 0; i < ids.length; i++) {
    const row = ids[i] * dim;
    for (let j = 0; j < n; j++) {
      // Four sums at once: the loop that costs here.
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      const q = j * dim;
      let k = 0;
      for (; k + 4 <= dim; k += 4) {
        d0 += asked[q + k] * rows[row + k];
        d1 += asked[q + k + 1] * rows[row + k + 1];
        d2 += asked[q + k + 2] * rows[row + k + 2];
        d3 += asked[q + k + 3] * rows[row + k + 3];
      }
      for (; k < dim; k++) d0 += asked[q + k] * rows[row + k];
      out[i * n + j] = (d0 + d1 + d2 + d3) * scales[ids[i]];
    }
  }
  return out;
}

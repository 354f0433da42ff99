import { LRUCache } from 'lru-cache';
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
  // Each text's tokens, remembered: analysing the words and looking up their ids cost a third of the alignment.
  const known = knownTokens(embedder);
  const tokensOf = new Map<string, Int32Array>();
  for (const text of distinctTexts) {
    const tokens = known.get(text);
    if (tokens) tokensOf.set(text, tokens);
  }
  const newTexts = distinctTexts.filter((text) => !tokensOf.has(text));
  const newWords = newTexts.map(contentWords);
  const distinctWords = [...new Set(newWords.flat())];
  const table = await embedder.tokens([...questionWords, ...distinctWords]);
  const { scales } = table;
  const idsOfWord = new Map(distinctWords.map((w, i) => [w, table.ids[questionWords.length + i]]));
  for (const [t, text] of newTexts.entries()) {
    // A text's distinct ids with a row (an id without one aligns at 0, as cosines below 0 do).
    const ids = new Set(newWords[t].flatMap((word) => idsOfWord.get(word) ?? []).filter((id) => scales[id] > 0));
    const tokens = Int32Array.from(ids);
    tokensOf.set(text, tokens);
    known.set(text, tokens);
  }
  // Each question token once, weighing what its words give it (a word's weight shared among its pieces).
  const weightOf = new Map<number, number>();
  for (const [i, word] of questionWords.entries()) {
    const ids = table.ids[i].filter((id) => scales[id] > 0);
    const weight = weights.weightOfWord(word);
    if (weight > 0) for (const id of ids) weightOf.set(id, (weightOf.get(id) ?? 0) + weight / ids.length);
  }
  const asked = [...weightOf.keys()];
  const askedWeights = [...weightOf.values()];
  const total = askedWeights.reduce((sum, w) => sum + w, 0);
  if (total === 0) return texts.map(() => 0);
  const n = asked.length;
  // Cosines computed once per distinct token: the candidates share many words.
  const slot = new Map<number, number>();
  for (const tokens of tokensOf.values()) for (const id of tokens) if (!slot.has(id)) slot.set(id, slot.size);
  const cosines = cosinesOf(asked, table, [...slot.keys()]);
  const score = new Map<string, number>();
  const best = new Float64Array(n);
  for (const text of distinctTexts) {
    best.fill(0); // cosines below 0 count as 0
    for (const id of tokensOf.get(text) ?? []) {
      const at = (slot.get(id) ?? 0) * n;
      for (let j = 0; j < n; j++) if (cosines[at + j] > best[j]) best[j] = cosines[at + j];
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += askedWeights[j] * best[j];
    score.set(text, sum / total);
  }
  return texts.map((text) => score.get(text) ?? 0);
}

/**
 * Texts whose token ids (those with a row) are remembered, per embedder: a
 * text's tokens depend on the text and the model only, and the rows they
 * point to are never dropped (Embedder.tokens). About 100 bytes a sentence
 * besides its text, which the index holds anyway: a few MB at most.
 */
export const ALIGNED_TEXTS = 20_000;
const textTokens = new WeakMap<object, LRUCache<string, Int32Array>>();

function knownTokens(embedder: object): LRUCache<string, Int32Array> {
  let known = textTokens.get(embedder);
  if (!known) {
    known = new LRUCache({ max: ALIGNED_TEXTS });
    textTokens.set(embedder, known);
  }
  return known;
}

/** A text's words that carry its topic (normalized, stop words dropped): what is aligned. */
function contentWords(text: string): string[] {
  return words(text).filter((w) => !isStopWord(w));
}

/**
 * The cosine of each question token (`asked`, ids) with each token of `ids`: ids × asked, row after row.
 * Both rows are eight-bit integers: their dot product is summed exactly, then scaled.
 */
function cosinesOf(asked: readonly number[], table: TokenRows, ids: readonly number[]): Float32Array {
  const { dimension: dim, rows, scales } = table;
  const n = asked.length;
  const out = new Float32Array(ids.length * n);
  // The question's rows side by side, small enough to stay in cache.
  const q8 = new Int32Array(n * dim);
  for (let j = 0; j < n; j++) for (let k = 0; k < dim; k++) q8[j * dim + k] = rows[asked[j] * dim + k];
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
        d0 += q8[q + k] * rows[row + k];
        d1 += q8[q + k + 1] * rows[row + k + 1];
        d2 += q8[q + k + 2] * rows[row + k + 2];
        d3 += q8[q + k + 3] * rows[row + k + 3];
      }
      for (; k < dim; k++) d0 += q8[q + k] * rows[row + k];
      out[i * n + j] = (d0 + d1 + d2 + d3) * scales[asked[j]] * scales[ids[i]];
    }
  }
  return out;
}

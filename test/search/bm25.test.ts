import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/arabic/sentences.js';
import { readDataset } from '../../src/eval/datasets.js';
import {
  type AnalysedDoc,
  analyser,
  collectionStats,
  type PostingList,
  queryTerms,
  rankPostings,
  scoreDocument,
} from '../../src/search/bm25.js';
import { LexicalIndex } from '../../src/search/local/lexical.js';
import { ROOT, SEED_QA } from '../helpers/paths.js';

/** The seed corpus's sentences, each twice (equal scores everywhere: ties at every cut). */
function seedSentences(): string[] {
  const dir = join(ROOT, 'corpus');
  const sentences = readdirSync(dir)
    .sort()
    .flatMap((f) => splitSentences(readFileSync(join(dir, f), 'utf8')).map((s) => s.text));
  return [...sentences, ...sentences];
}

/** Posting lists of analysed documents, ids ascending (document i has id ids[i]). */
function postingsOf(docs: readonly AnalysedDoc[], ids: readonly number[]): Map<string, PostingList> {
  const lists = new Map<string, { ids: number[]; tfs: number[]; lengths: number[] }>();
  for (const [i, doc] of docs.entries())
    for (const [term, tf] of doc.terms) {
      const list = lists.get(term) ?? { ids: [], tfs: [], lengths: [] };
      list.ids.push(ids[i]);
      list.tfs.push(tf);
      list.lengths.push(doc.length);
      lists.set(term, list);
    }
  return new Map(
    [...lists].map(([term, l]) => [
      term,
      { ids: Float64Array.from(l.ids), tfs: Uint32Array.from(l.tfs), lengths: Uint32Array.from(l.lengths) },
    ]),
  );
}

describe('rankPostings (BM25 from whole posting lists: the postgres engine’s postings cache)', () => {
  it('gives scoreDocument’s scores and the local engine’s hits to the bit, and every passage tied with the k-th', async () => {
    const texts = seedSentences();
    const analyse = analyser();
    const docs = texts.map((t) => analyse(t));
    const stats = collectionStats(docs);
    // Ids with gaps and past 2^32 (as a database's may be), ascending in document order.
    const ids = docs.map((_, i) => 2 ** 33 + 7 * i);
    const postings = postingsOf(docs, ids);
    const local = LexicalIndex.build(texts);
    const questions = [
      ...(await readDataset(SEED_QA)).questions.map((q) => q.question),
      'روسيا الصين روسيا في في من',
      'الصين',
      'كلمة-لا-توجد',
    ];
    let tiedRuns = 0;
    for (const question of questions) {
      const terms = queryTerms(question);
      const firstHeld = (i: number) => terms.findIndex((t) => docs[i].terms.has(t));
      const all = docs
        .map((doc, i) => ({ i, score: scoreDocument(terms, doc, stats), first: firstHeld(i) }))
        .filter((h) => h.score > 0)
        .sort((a, b) => b.score - a.score || a.first - b.first || a.i - b.i);
      for (const k of [1, 3, 10, 50]) {
        const ranked = rankPostings(terms, postings, stats, k);
        // The best k, then every one equal to the k-th (score and first place held), by id.
        const cut = all[k - 1];
        const expected = all.filter((h, n) => n < k || (cut && h.score === cut.score && h.first === cut.first));
        expect(
          ranked.map((r) => [r.id, r.score, r.first]),
          `${k}: ${question}`,
        ).toEqual(expected.map((h) => [ids[h.i], h.score, h.first]));
        if (ranked.length > k) tiedRuns++;
        // The local engine's search: the same k hits (its ids are the documents' places), to the bit.
        expect(
          ranked.slice(0, k).map((r) => ({ id: (r.id - 2 ** 33) / 7, score: r.score })),
          `local, ${k}: ${question}`,
        ).toEqual(local.search(question, k));
      }
    }
    // Every sentence is there twice: cuts split runs of equals.
    expect(tiedRuns).toBeGreaterThan(questions.length);
    expect(rankPostings(queryTerms('الصين'), postings, stats, 0)).toEqual([]);
    expect(rankPostings(queryTerms('الصين'), new Map(), stats, 5)).toEqual([]);
  });
});

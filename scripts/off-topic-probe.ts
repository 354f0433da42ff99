/**
 * What the not-found check sees of each question (issue 23 item 5, BENCHMARKS.md "Off-topic
 * questions naming absent things"): one JSON line per question with its answer (found, the
 * first hit's rank, coverage and similarity, the first quote's rerank score, the quotes' terms)
 * and, for each of its words, the document frequencies of its terms and which quotes hold it;
 * for each word no sentence uses, its cosine with each quote (the embedding model) and how many
 * spellings one edit away (or with one or two letters cut at either end) the index uses:
 *
 *     node --import tsx scripts/off-topic-probe.ts /tmp/arcd-index arcd \
 *       test/fixtures/arcd-train.json test/fixtures/off-topic-absent.json > arcd.jsonl
 *
 * The candidates for refusing the absent-name questions were scored from these lines.
 */
import { resolve } from 'node:path';
import { Answerer } from '../src/answering/answerer.js';
import { answerOptionsFor } from '../src/answering/options.js';
import { foldNumbers } from '../src/arabic/numbers.js';
import { analyze, contentTerms, isStopWord, words } from '../src/arabic/tokens.js';
import { openEmbedder } from '../src/cli/setup.js';
import { loadConfig } from '../src/config.js';
import { readDataset } from '../src/eval/datasets.js';
import { firstHitRank } from '../src/eval/metrics.js';
import { openIndex } from '../src/search/local/local-index.js';

const LETTERS = [...'ءآأؤإئابتثجحخدذرزسشصضطظعغفقكلمنهوي'];
/** Spellings one edit away, and the word with one or two letters cut at either end. */
function variants(w: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i <= w.length; i++) {
    if (i < w.length) out.add(w.slice(0, i) + w.slice(i + 1));
    for (const c of LETTERS) {
      out.add(w.slice(0, i) + c + w.slice(i));
      if (i < w.length) out.add(w.slice(0, i) + c + w.slice(i + 1));
    }
  }
  for (const k of [1, 2]) if (w.length - k >= 3) out.add(w.slice(k)).add(w.slice(0, -k));
  out.delete(w);
  return [...out];
}
const [indexDir, tag, ...files] = process.argv.slice(2);
const config = loadConfig();
const embedder = await openEmbedder(config);
const index = await openIndex(resolve(indexDir));
const answerer = new Answerer(
  index,
  embedder,
  answerOptionsFor(embedder.modelId, { minSimilarity: config.minSimilarity }),
);
for (const file of files) {
  const ds = await readDataset(resolve(file));
  for (const q of ds.questions) {
    const r = await answerer.ask(q.question, { count: 3 });
    const groups = analyze(q.question);
    const terms = [...new Set(groups.flat())];
    const dfs = await index.documentFrequencies(terms);
    const df = new Map(terms.map((t, i) => [t, dfs[i]]));
    const df0 = (t: string) => df.get(t) === 0;
    const quoteTerms = r.quotes.map((x) => new Set(contentTerms(x.text)));
    const qv = await Promise.all(r.quotes.map((x) => embedder.embedQuery(x.text)));
    const cosOf = async (t: string) => {
      const v = await embedder.embedQuery(t);
      return qv.map((u) => u.reduce((s, x, i) => s + x * v[i], 0));
    };
    const cos: Record<string, number[]> = {};
    const prev: Record<string, string> = {};
    let last = '';
    for (const w of foldNumbers(words(q.question))) {
      const [g] = analyze(w);
      if (g) prev[g.join(' ')] = last;
      last = w;
    }
    const neighbours: Record<string, number> = {};
    for (const g of groups)
      if (g.every((t) => df0(t))) {
        cos[g.join(' ')] = await cosOf(g[0]);
        const vs = g.flatMap(variants);
        neighbours[g.join(' ')] = (await index.documentFrequencies(vs)).filter((d) => d > 0).length;
      }
    console.log(
      JSON.stringify({
        tag,
        file,
        id: q.id,
        q: q.question,
        noAnswer: q.noAnswer,
        found: r.found,
        qt: r.quotes.map((x) => [...new Set(contentTerms(x.text))]),
        cos,
        neighbours,
        score: r.quotes[0]?.score,
        prev: Object.fromEntries(Object.entries(prev).map(([k, v]) => [k, [v, isStopWord(v)]])),
        rank: q.noAnswer ? 0 : firstHitRank(q, r),
        rel: r.relevance,
        n: index.sentenceCount,
        groups: groups.map((g) => ({
          g,
          df: g.map((t) => df.get(t)),
          cov: quoteTerms.map((s) => g.some((t) => s.has(t))),
        })),
      }),
    );
  }
}
process.exit(0);

/**
 * Trains the rerank's linear model (src/answering/reranker.json) on a SQuAD
 * question set, measured by cross-validation grouped by article:
 *
 *     node --import tsx scripts/train-reranker.ts --dataset test/fixtures/arcd-train.json \
 *       [--work /tmp/arcd-work] [--folds 5] [--groups base,own,…] [--ablate] [--write]
 *
 * The dataset's articles are indexed once into --work (kept between runs;
 * rebuilt incrementally). Every question's 30 candidates and their features
 * (src/answering/features.ts) are computed the way answering computes them;
 * a candidate is a positive when the quote made of it holds a gold answer.
 * Articles are dealt into k folds; for each fold, a model trained on the
 * other folds answers the fold's questions end to end (the Answerer, quotes
 * and relevance check included), and the figures are those of all folds'
 * answers together: no question is answered by a model that saw its article.
 *
 * --ablate trains without each feature group in turn and prints what each
 * one gains; --write trains on every question with the groups given and
 * writes src/answering/reranker.json.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { Answerer } from '../src/answering/answerer.js';
import { FEATURE_GROUPS, type Features } from '../src/answering/features.js';
import { type AnswerOptions, answerOptionsFor } from '../src/answering/options.js';
import { analyseQuestion } from '../src/answering/question.js';
import { selectQuotes } from '../src/answering/quotes.js';
import { TermWeights } from '../src/answering/relevance.js';
import { rerankInput } from '../src/answering/rerank.js';
import { retrieve } from '../src/answering/retrieve.js';
import type { RerankModel } from '../src/answering/scorer.js';
import { normalizeForSearch } from '../src/arabic/normalize.js';
import { openEmbedder } from '../src/cli/setup.js';
import { loadConfig } from '../src/config.js';
import { type EvalQuestion, readDataset, writeArticles } from '../src/eval/datasets.js';
import { type EvalRecord, type EvalSummary, summarize } from '../src/eval/metrics.js';
import { buildIndex } from '../src/index/build.js';
import { openIndex } from '../src/index/local-index.js';

const program = new Command('train-reranker')
  .requiredOption('--dataset <file>', 'a SQuAD file (ARCD)')
  .option('--work <dir>', 'where its articles and index are kept', '/tmp/arcd-work')
  .option('--folds <k>', 'folds, grouped by article', '5')
  .option('--groups <list>', 'feature groups to use (default: all)', Object.keys(FEATURE_GROUPS).join(','))
  .option('--ablate', 'measure each group: trained without it')
  .option('--write', 'train on everything and write src/answering/reranker.json')
  .parse();
const opts = program.opts<{
  dataset: string;
  work: string;
  folds: string;
  groups: string;
  ablate?: boolean;
  write?: boolean;
}>();

const config = loadConfig();
const embedder = await openEmbedder(config);
const dataset = await readDataset(resolve(opts.dataset));
const corpusDir = join(opts.work, 'corpus');
const indexDir = join(opts.work, 'index');
await writeArticles(corpusDir, dataset.articles ?? []);
await buildIndex({ corpusDir, indexDir, embedder, chunking: config.chunking });
const index = await openIndex(indexDir);
const base: AnswerOptions = answerOptionsFor(embedder.modelId, { minSimilarity: config.minSimilarity });

/** One question's candidates: their features and whether the quote made of each holds the answer. */
interface Example {
  question: EvalQuestion;
  article: string;
  features: Features[];
  positive: boolean[];
}

function holdsGold(question: EvalQuestion, articleId: string, text: string): boolean {
  if (question.sources.length && !question.sources.includes(articleId)) return false;
  const quote = normalizeForSearch(text);
  return question.answers.some((a) => {
    const gold = normalizeForSearch(a);
    return gold !== '' && quote.includes(gold);
  });
}

const examples: Example[] = [];
for (const q of dataset.questions) {
  const question = analyseQuestion(q.question, await embedder.embedQuery(q.question));
  const weights = new TermWeights(index, question.terms);
  const candidates = retrieve(index, question, base.fusion);
  const { top, features } = rerankInput(index, question, weights, candidates, base.rerank);
  const ranked = top.map((c) => ({ ...c, similarity: 0, score: 0 }));
  const positive = ranked.map((c, i) => {
    // The quote this candidate would make (its neighbours judged as answering judges them).
    const [quote] = selectQuotes(index, [c, ...ranked.filter((_, j) => j !== i)], 1, base.quoting, {
      answerType: question.answerType,
    });
    return quote ? holdsGold(q, quote.articleId, quote.text) : false;
  });
  examples.push({ question: q, article: q.sources[0] ?? q.id, features, positive });
}
const reachable = examples.filter((e) => e.positive.some(Boolean)).length;
process.stdout.write(
  `${examples.length} questions; the answer is in one of the candidates' quotes for ${reachable} (${((100 * reachable) / examples.length).toFixed(1)}%)\n`,
);

/** Minimizes the listwise softmax loss (the positives' share of exp(score)) with L2, by Adam. */
function train(set: Example[], names: string[], l2 = 1e-3, epochs = 300): RerankModel {
  const usable = set.filter((e) => e.positive.some(Boolean) && !e.positive.every(Boolean));
  const x = usable.map((e) => e.features.map((f) => names.map((n) => f[n] ?? 0)));
  const w = new Float64Array(names.length);
  const m = new Float64Array(names.length);
  const v = new Float64Array(names.length);
  const rate = 0.05;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const grad = new Float64Array(names.length);
    usable.forEach((e, qi) => {
      const rows = x[qi];
      const scores = rows.map((r) => r.reduce((s, value, j) => s + value * w[j], 0));
      const top = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - top));
      const all = exp.reduce((a, b) => a + b, 0);
      const pos = exp.reduce((a, b, i) => a + (e.positive[i] ? b : 0), 0);
      rows.forEach((r, i) => {
        const p = exp[i] / all;
        const q = e.positive[i] ? exp[i] / pos : 0;
        for (let j = 0; j < names.length; j++) grad[j] += (p - q) * r[j];
      });
    });
    for (let j = 0; j < names.length; j++) {
      const g = grad[j] / usable.length + l2 * w[j];
      m[j] = 0.9 * m[j] + 0.1 * g;
      v[j] = 0.999 * v[j] + 0.001 * g * g;
      const mh = m[j] / (1 - 0.9 ** epoch);
      const vh = v[j] / (1 - 0.999 ** epoch);
      w[j] -= (rate * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return { trainedOn: '', weights: Object.fromEntries(names.map((n, j) => [n, Number(w[j].toFixed(4))])) };
}

// Articles dealt into folds in a fixed shuffled order (a seeded LCG), so that runs compare.
const k = Number(opts.folds);
const articles = [...new Set(examples.map((e) => e.article))].sort();
let seed = 23;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
for (let i = articles.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [articles[i], articles[j]] = [articles[j], articles[i]];
}
const foldOf = new Map(articles.map((a, i) => [a, i % k]));

async function answerAll(questions: EvalQuestion[], options: AnswerOptions): Promise<EvalRecord[]> {
  const answerer = new Answerer(index, embedder, options);
  const records: EvalRecord[] = [];
  for (const question of questions) {
    const started = performance.now();
    const answer = await answerer.ask(question.question, { count: 3 });
    records.push({ question, answer, ms: performance.now() - started });
  }
  return records;
}

/** Cross-validated figures of a model trained on `names` (null: today's hand weights). */
async function crossValidate(names: string[] | null): Promise<EvalSummary> {
  const records: EvalRecord[] = [];
  for (let fold = 0; fold < k; fold++) {
    const test = examples.filter((e) => foldOf.get(e.article) === fold);
    const model = names
      ? train(
          examples.filter((e) => foldOf.get(e.article) !== fold),
          names,
        )
      : null;
    records.push(
      ...(await answerAll(
        test.map((e) => e.question),
        { ...base, rerank: { ...base.rerank, model } },
      )),
    );
  }
  return summarize(records);
}

function line(name: string, s: EvalSummary): string {
  return `${name.padEnd(28)} hit@1 ${s.hitAt1.toFixed(3)}  hit@3 ${s.hitAt3.toFixed(3)}  MRR ${s.mrr.toFixed(3)}  false not-found ${s.falseNotFound.toFixed(3)}  quotes ${s.quotesPerAnswer.toFixed(2)} (other articles ${s.otherArticleQuotes.toFixed(2)})  first ${s.firstQuoteChars} chars`;
}

const namesOf = (groups: string[]) => groups.flatMap((g) => FEATURE_GROUPS[g] ?? []);
const groups = opts.groups.split(',');
process.stdout.write(`${line('hand weights (today)', await crossValidate(null))}\n`);
const full = await crossValidate(namesOf(groups));
process.stdout.write(`${line(`learned: ${groups.join('+')}`, full)}\n`);
if (opts.ablate) {
  for (const g of groups) {
    const without = await crossValidate(namesOf(groups.filter((h) => h !== g)));
    const gain = (full.hitAt1 - without.hitAt1) * 100;
    process.stdout.write(`${line(`  without ${g} (${gain >= 0 ? '+' : ''}${gain.toFixed(1)})`, without)}\n`);
  }
}
if (opts.write) {
  const model = train(examples, namesOf(groups));
  model.trainedOn = `${opts.dataset.split('/').pop()} (${examples.length} questions), groups ${groups.join(', ')}; ${k}-fold cross-validated by article: hit@1 ${full.hitAt1.toFixed(3)}, hit@3 ${full.hitAt3.toFixed(3)}`;
  await writeFile(resolve('src/answering/reranker.json'), `${JSON.stringify(model, null, 2)}\n`);
  process.stdout.write('wrote src/answering/reranker.json\n');
}
index.close();

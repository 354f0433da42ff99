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
 * writes src/answering/reranker.json. --fold-seed deals the articles into
 * other folds (differences under about a point move with it: compare over a
 * few seeds); --dump writes every question's candidates, features and
 * positives as JSON, for experiments outside this script.
 *
 * --unit measures the quote unit (src/answering/quote-unit.ts) with the same
 * fold models: the ceilings (the first quote always with its neighbours), then
 * each of --unit-variants, a unit trained per fold on the training folds'
 * candidates (scripts/quote-unit-training.ts). --write-unit trains it on every
 * question, scored by the shipped rerank model, and writes
 * src/answering/quote-unit.json (retrain it whenever reranker.json changes):
 *
 *     node --import tsx scripts/train-reranker.ts --dataset test/fixtures/arcd-train.json --seed \
 *       --groups base,lists,lead,anyLead,article,shape,numbers,alignment --write-unit --unit-threshold -4 \
 *       --unit-top 1 --unit-max-chars 800 --unit-per-hundred-chars 0.35 --unit-mass 1
 *
 * --joint '[{…}]' trains the two together per fold and measures each variant
 * end to end: the rerank relabelled by the unit `rounds` times (a candidate is
 * a positive when the quote the unit makes of it holds the answer), then the
 * unit on its scores, with the unit's shape (threshold, maxChars,
 * perHundredChars, neighbourMass); BENCHMARKS.md's "Fifth round".
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { AnswerType } from '../src/answering/answer-type.js';
import { Answerer } from '../src/answering/answerer.js';
import { FEATURE_GROUPS, type Features } from '../src/answering/features.js';
import {
  type AnswerOptions,
  answerOptionsFor,
  type NotFoundOptions,
  type QuotingOptions,
} from '../src/answering/options.js';
import { analyseQuestion } from '../src/answering/question.js';
import type { QuoteUnitModel } from '../src/answering/quote-unit.js';
import { selectQuotes } from '../src/answering/quotes.js';
import { TermWeights } from '../src/answering/relevance.js';
import { rerankInput } from '../src/answering/rerank.js';
import { retrieve } from '../src/answering/retrieve.js';
import { type RerankModel, scoreOf, type Tree } from '../src/answering/scorer.js';
import { normalizeForSearch } from '../src/arabic/normalize.js';
import { contentTerms } from '../src/arabic/tokens.js';
import { openEmbedder } from '../src/cli/setup.js';
import { loadConfig } from '../src/config.js';
import { type EvalQuestion, readDataset, writeArticles } from '../src/eval/datasets.js';
import { type EvalRecord, type EvalSummary, summarize } from '../src/eval/metrics.js';
import { buildIndex } from '../src/search/local/build.js';
import { openIndex } from '../src/search/local/local-index.js';
import { alwaysJoin, trainUnit, type UnitShape, unitPositives, unitRows } from './quote-unit-training.js';

const program = new Command('train-reranker')
  .requiredOption('--dataset <file>', 'a SQuAD file (ARCD)')
  .option('--work <dir>', 'where its articles and index are kept', '/tmp/arcd-work')
  .option('--folds <k>', 'folds, grouped by article', '5')
  .option('--groups <list>', 'feature groups to use (default: all)', Object.keys(FEATURE_GROUPS).join(','))
  .option('--ablate', 'measure each group: trained without it')
  .option('--trees <n>', 'boosted trees on top of the linear model (0: linear only)', '0')
  .option('--epochs <n>', "Adam's epochs over the training questions", '1000')
  .option('--l2 <x>', 'L2 regularisation of the linear weights', '1e-4')
  .option('--seed', "also train on seed-qa.json's questions over corpus/ (never tested on)")
  .option('--write', 'train on everything and write src/answering/reranker.json')
  .option('--fold-seed <n>', 'the seed that deals the articles into folds', '23')
  .option(
    '--quote-variants <json>',
    'a JSON list of not-found options (margins) to answer with too, each cross-validated with the same models',
  )
  .option('--unit', 'train the quote unit per fold too, and measure it (the ceilings, then --unit-variants)')
  .option(
    '--unit-variants <json>',
    'a JSON list of quote-unit shapes ({threshold, neighbours, maxChars, unitForFurther}) to measure with --unit',
  )
  .option('--unit-threshold <x>', '--write-unit: the log-odds above which a neighbour joins', '-5')
  .option('--unit-max-chars <n>', "--write-unit: the joined quote's length cap", '800')
  .option('--unit-top <n>', "--write-unit: each question's best candidates it learns from", '3')
  .option('--unit-rules', "--write-unit: the rules' neighbours join too, whatever the model says")
  .option('--unit-per-hundred-chars <x>', "--write-unit: the log-odds a neighbour's every 100 characters cost", '0')
  .option('--unit-mass <x>', "--write-unit: the first quote by its sentences' rerank weight (neighbourMass)", '0')
  .option(
    '--joint <json>',
    'a JSON list of joint trainings ({rounds, weight, threshold, maxChars, top, perHundredChars}) to cross-validate: the rerank relabelled by the unit',
  )
  .option('--joint-rounds <n>', '--write/--write-unit: rounds of the rerank relabelled by the unit (0: the rules)', '0')
  .option('--joint-weight <x>', "--joint-rounds: a unit-made positive's weight against the answer's own sentence", '1')
  .option('--write-unit', 'train the quote unit on every question (shipped rerank model) and write quote-unit.json')
  .option(
    '--dump <file>',
    "write every question's candidates (texts, features, positives, fold) as JSON, for experiments",
  )
  .parse();
const opts = program.opts<{
  dataset: string;
  work: string;
  folds: string;
  groups: string;
  ablate?: boolean;
  write?: boolean;
  trees: string;
  seed?: boolean;
  dump?: string;
  foldSeed: string;
  quoteVariants?: string;
  unit?: boolean;
  unitVariants?: string;
  writeUnit?: boolean;
  unitThreshold: string;
  unitMaxChars: string;
  unitTop: string;
  unitRules?: boolean;
  unitPerHundredChars: string;
  unitMass: string;
  joint?: string;
  jointRounds: string;
  jointWeight: string;
  epochs: string;
  l2: string;
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
  /** The candidates' texts and neighbours (for --dump). */
  texts: { id: number; text: string; before: string; after: string; articleId: string; position: number }[];
  /** For the quote unit (--unit): the question's answer type, and the share of its weighted words a text holds. */
  answerType: AnswerType;
  coverage: (text: string) => number;
  holds: (articleId: string, text: string) => boolean;
}

function holdsGold(question: EvalQuestion, articleId: string, text: string): boolean {
  if (question.sources.length && !question.sources.includes(articleId)) return false;
  const quote = normalizeForSearch(text);
  return question.answers.some((a) => {
    const gold = normalizeForSearch(a);
    return gold !== '' && quote.includes(gold);
  });
}

/** Every question's candidates, features and positives, asked of `from`. */
async function examplesOf(questions: EvalQuestion[], from: typeof index): Promise<Example[]> {
  const found: Example[] = [];
  for (const q of questions) {
    if (q.noAnswer || !/[\u0600-\u06FF]/.test(q.question)) continue;
    const question = analyseQuestion(q.question, await embedder.embedQuery(q.question));
    const weights = await TermWeights.of(from, question.terms);
    const candidates = await retrieve(from, question, base.fusion);
    const { top, data, features } = await rerankInput(from, question, weights, candidates, base.rerank, embedder, true);
    const ranked = top.map((c) => ({ ...c, similarity: 0, score: 0 }));
    const positive: boolean[] = [];
    for (const [i, c] of ranked.entries()) {
      // The quote this candidate would make, its neighbours judged by the rules (the learned quote unit
      // is trained on the rerank's scores, so the rerank's labels must not depend on it).
      const rules = { ...base.quoting, unit: null };
      const [quote] = await selectQuotes(from, [c, ...ranked.filter((_, j) => j !== i)], 1, rules, {
        answerType: question.answerType,
      });
      positive.push(quote ? holdsGold(q, quote.articleId, quote.text) : false);
    }
    const texts = data.map(({ text, before, after, articleId, position }, i) => ({
      id: top[i].id,
      text,
      before,
      after,
      articleId,
      position,
    }));
    found.push({
      question: q,
      article: q.sources[0] ?? q.id,
      features,
      positive,
      texts,
      answerType: question.answerType,
      coverage: (text) => weights.coverage(new Set(contentTerms(text))),
      holds: (articleId, text) => holdsGold(q, articleId, text),
    });
  }
  return found;
}
const examples = await examplesOf(dataset.questions, index);

// --seed: seed-qa's Arabic questions over the seed corpus train every fold's model too (they are
// never in a test fold: the figures stay ARCD's).
const seedExamples: Example[] = [];
if (opts.seed) {
  const seedIndexDir = join(opts.work, 'seed-index');
  await buildIndex({ corpusDir: resolve('corpus'), indexDir: seedIndexDir, embedder, chunking: config.chunking });
  const seedIndex = await openIndex(seedIndexDir);
  seedExamples.push(
    ...(await examplesOf((await readDataset(resolve('test/fixtures/seed-qa.json'))).questions, seedIndex)),
  );
  seedIndex.close();
}
const reachable = examples.filter((e) => e.positive.some(Boolean)).length;
process.stdout.write(
  `${examples.length} questions; the answer is in one of the candidates' quotes for ${reachable} (${((100 * reachable) / examples.length).toFixed(1)}%)\n`,
);

/**
 * Weights set by hand, not learned: ARCD asks almost nothing with a number
 * in it, so it cannot teach what a number the question names is worth; it
 * weighs as much as the answer type (a date for «متى», a number for «كم»).
 */
const FIXED: Record<string, number> = { questionNumber: 1 };

/**
 * Minimizes the listwise softmax loss (the positives' share of exp(score)) with L2, by Adam. Trained to
 * convergence (1,000 epochs, L2 1e-4): 300 epochs at L2 1e-3 stopped short, 1.2 points of hit@1 lower.
 */
function train(
  set: Example[],
  names: string[],
  targets: number[][] = set.map((e) => e.positive.map(Number)),
  l2 = Number(opts.l2),
  epochs = Number(opts.epochs),
): RerankModel {
  const usable = set.flatMap((e, qi) => {
    const t = targets[qi];
    return t.some((a) => a > 0) && !t.every((a) => a > 0) ? [{ e, target: t }] : [];
  });
  const x = usable.map(({ e }) => e.features.map((f) => names.map((n) => f[n] ?? 0)));
  const w = Float64Array.from(names, (n) => FIXED[n] ?? 0);
  const m = new Float64Array(names.length);
  const v = new Float64Array(names.length);
  const rate = 0.05;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const grad = new Float64Array(names.length);
    usable.forEach(({ target }, qi) => {
      const rows = x[qi];
      const scores = rows.map((r) => r.reduce((s, value, j) => s + value * w[j], 0));
      const top = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - top));
      const all = exp.reduce((a, b) => a + b, 0);
      // A positive weighing a (the target's value) counts a times: the loss is −log Σ a·exp(score) / Σ exp(score).
      const pos = exp.reduce((a, b, i) => a + target[i] * b, 0);
      rows.forEach((r, i) => {
        const p = exp[i] / all;
        const q = (target[i] * exp[i]) / pos;
        for (let j = 0; j < names.length; j++) grad[j] += (p - q) * r[j];
      });
    });
    for (let j = 0; j < names.length; j++) {
      if (names[j] in FIXED) continue;
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

/**
 * Gradient boosting on the same loss: each round fits a regression tree
 * (depth `depth`, splits at the features' quantiles) to the negative
 * gradient (the positives' share minus the softmax probability), its leaves
 * Newton steps shrunk by `rate`. Starts from the linear model's scores.
 */
function boost(set: Example[], names: string[], linear: RerankModel, rounds = 60, depth = 2, rate = 0.1): RerankModel {
  const usable = set.filter((e) => e.positive.some(Boolean) && !e.positive.every(Boolean));
  const rows = usable.flatMap((e) => e.features);
  const positive = usable.flatMap((e) => e.positive);
  const score = Float64Array.from(rows, (f) => scoreOf(linear, f));
  const thresholds = names.map((n) => {
    const values = [...new Set(rows.map((f) => f[n] ?? 0))].sort((a, b) => a - b);
    if (values.length <= 16) return values.slice(1);
    return [...new Set(Array.from({ length: 15 }, (_, i) => values[Math.floor(((i + 1) * values.length) / 16)]))];
  });
  const trees: Tree[] = [];
  for (let round = 0; round < rounds; round++) {
    const g = new Float64Array(rows.length);
    const h = new Float64Array(rows.length);
    let start = 0;
    for (let qi = 0; qi < usable.length; qi++) {
      const n = usable[qi].features.length;
      let top = -Infinity;
      for (let i = start; i < start + n; i++) top = Math.max(top, score[i]);
      let all = 0;
      let pos = 0;
      for (let i = start; i < start + n; i++) {
        const e = Math.exp(score[i] - top);
        all += e;
        if (positive[i]) pos += e;
      }
      for (let i = start; i < start + n; i++) {
        const e = Math.exp(score[i] - top);
        const p = e / all;
        g[i] = (positive[i] ? e / pos : 0) - p;
        h[i] = Math.max(p * (1 - p), 1e-6);
      }
      start += n;
    }
    const grow = (members: number[], level: number): Tree => {
      let sg = 0;
      let sh = 0;
      for (const i of members) {
        sg += g[i];
        sh += h[i];
      }
      const leaf = Number(((rate * sg) / (sh + 1)).toFixed(4));
      if (level === depth || members.length < 40) return leaf;
      let best = { gain: 0, feature: -1, threshold: 0 };
      const parent = (sg * sg) / (sh + 1);
      names.forEach((name, j) => {
        for (const t of thresholds[j]) {
          let lg = 0;
          let lh = 0;
          let ln = 0;
          for (const i of members)
            if ((rows[i][name] ?? 0) < t) {
              lg += g[i];
              lh += h[i];
              ln++;
            }
          if (ln < 20 || members.length - ln < 20) continue;
          const gain = (lg * lg) / (lh + 1) + ((sg - lg) * (sg - lg)) / (sh - lh + 1) - parent;
          if (gain > best.gain) best = { gain, feature: j, threshold: t };
        }
      });
      if (best.feature < 0) return leaf;
      const name = names[best.feature];
      const left = members.filter((i) => (rows[i][name] ?? 0) < best.threshold);
      const right = members.filter((i) => (rows[i][name] ?? 0) >= best.threshold);
      return { feature: name, threshold: best.threshold, left: grow(left, level + 1), right: grow(right, level + 1) };
    };
    const tree = grow(
      rows.map((_, i) => i),
      0,
    );
    trees.push(tree);
    const model = { trainedOn: '', weights: {}, trees: [tree] };
    for (let i = 0; i < rows.length; i++) score[i] += scoreOf(model, rows[i]);
  }
  return { ...linear, trees };
}

// Articles dealt into folds in a fixed shuffled order (a seeded LCG), so that runs compare.
const k = Number(opts.folds);
const articles = [...new Set(examples.map((e) => e.article))].sort();
let seed = Number(opts.foldSeed);
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
for (let i = articles.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [articles[i], articles[j]] = [articles[j], articles[i]];
}
const foldOf = new Map(articles.map((a, i) => [a, i % k]));

if (opts.dump) {
  const dumped = (set: Example[], fold: (e: Example) => number) =>
    set.map((e) => ({
      question: e.question.question,
      answers: e.question.answers,
      article: e.article,
      fold: fold(e),
      candidates: e.texts.map((t, i) => ({ ...t, features: e.features[i], positive: e.positive[i] })),
    }));
  await writeFile(
    resolve(opts.dump),
    JSON.stringify({
      arcd: dumped(examples, (e) => foldOf.get(e.article) ?? -1),
      seed: dumped(seedExamples, () => -1),
    }),
  );
  process.stdout.write(`wrote ${opts.dump}\n`);
  process.exit(0);
}

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

const rounds = Number(opts.trees);
/** The linear model, with boosted trees on top when --trees asks for them. */
function fitModel(set: Example[], names: string[], targets?: number[][]): RerankModel {
  const linear = train(set, names, targets);
  return rounds > 0 ? boost(set, names, linear, rounds) : linear;
}

/** Each fold's model trained on `names`, remembered (--quote-variants answers with them again). */
const foldModels = new Map<string, RerankModel[]>();
function modelsOf(names: string[]): RerankModel[] {
  const key = names.join(',');
  let models = foldModels.get(key);
  if (!models) {
    models = Array.from({ length: k }, (_, fold) =>
      fitModel([...examples.filter((e) => foldOf.get(e.article) !== fold), ...seedExamples], names),
    );
    foldModels.set(key, models);
  }
  return models;
}

/**
 * Cross-validated figures of a model trained on `names` (null: today's hand weights), quoting with `notFound`
 * and each fold's `quoting` (the quote unit; default: the rules).
 */
async function crossValidate(
  names: string[] | null,
  notFound: Partial<NotFoundOptions> = {},
  quoting: (fold: number) => Partial<QuotingOptions> = () => ({ unit: null }),
  models: RerankModel[] | null = names ? modelsOf(names) : null,
): Promise<EvalSummary> {
  const records: EvalRecord[] = [];
  let rankedFirst = 0;
  for (let fold = 0; fold < k; fold++) {
    const test = examples.filter((e) => foldOf.get(e.article) === fold);
    const model = models ? models[fold] : null;
    if (model)
      for (const e of test) {
        const scores = e.features.map((f) => scoreOf(model, f));
        if (e.positive[scores.indexOf(Math.max(...scores))]) rankedFirst++;
      }
    records.push(
      ...(await answerAll(
        test.map((e) => e.question),
        {
          ...base,
          rerank: { ...base.rerank, model },
          quoting: { ...base.quoting, ...quoting(fold) },
          notFound: { ...base.notFound, ...notFound },
        },
      )),
    );
  }
  if (models) process.stdout.write(`  (ranking alone: hit@1 ${(rankedFirst / examples.length).toFixed(3)})\n`);
  return summarize(records);
}

function line(name: string, s: EvalSummary): string {
  return `${name.padEnd(28)} hit@1 ${s.hitAt1.toFixed(3)}  hit@3 ${s.hitAt3.toFixed(3)}  MRR ${s.mrr.toFixed(3)}  false not-found ${s.falseNotFound.toFixed(3)}  quotes ${s.quotesPerAnswer.toFixed(2)} (other articles ${s.otherArticleQuotes.toFixed(2)})  first ${s.firstQuoteChars} chars`;
}

const namesOf = (groups: string[]) => groups.flatMap((g) => FEATURE_GROUPS[g] ?? []);
const groups = opts.groups.split(',');
// --joint measures against the learned rerank: the hand weights' line is left out.
if (!opts.joint) process.stdout.write(`${line('hand weights (today)', await crossValidate(null))}\n`);
const full = await crossValidate(namesOf(groups));
process.stdout.write(`${line(`learned: ${groups.join('+')}`, full)}\n`);
for (const variant of opts.quoteVariants ? (JSON.parse(opts.quoteVariants) as Partial<NotFoundOptions>[]) : []) {
  process.stdout.write(
    `${line(`  quotes ${JSON.stringify(variant)}`, await crossValidate(namesOf(groups), variant))}\n`,
  );
}
if (opts.ablate) {
  for (const g of groups) {
    const without = await crossValidate(namesOf(groups.filter((h) => h !== g)));
    const gain = (full.hitAt1 - without.hitAt1) * 100;
    process.stdout.write(`${line(`  without ${g} (${gain >= 0 ? '+' : ''}${gain.toFixed(1)})`, without)}\n`);
  }
}
if (opts.unit) await measureUnit(namesOf(groups));
if (opts.joint) await measureJoint(namesOf(groups));
if (opts.write) {
  const model = fitModel([...examples, ...seedExamples], namesOf(groups));
  // For embedding models without token vectors (not static): the same groups but the alignment.
  if (groups.includes('alignment')) {
    const without = groups.filter((g) => g !== 'alignment');
    const cv = await crossValidate(namesOf(without));
    model.withoutAlignment = fitModel([...examples, ...seedExamples], namesOf(without));
    model.withoutAlignment.trainedOn = `the same, groups ${without.join(', ')}: hit@1 ${cv.hitAt1.toFixed(3)}, hit@3 ${cv.hitAt3.toFixed(3)}`;
  }
  model.trainedOn = `${opts.dataset.split('/').pop()} (${examples.length} questions)${opts.seed ? ` and seed-qa.json (${seedExamples.length})` : ''}, groups ${groups.join(', ')}; ${k}-fold cross-validated by article: hit@1 ${full.hitAt1.toFixed(3)}, hit@3 ${full.hitAt3.toFixed(3)}`;
  await writeFile(resolve('src/answering/reranker.json'), `${JSON.stringify(model, null, 2)}\n`);
  process.stdout.write('wrote src/answering/reranker.json\n');
}
if (opts.writeUnit) await writeUnit();
index.close();

/**
 * --unit: the quote unit cross-validated with the same fold models. First the ceilings (the first quote
 * always with the sentence after, before, both; uncapped), then each of --unit-variants: a unit trained per
 * fold on the training folds' best candidates, scored by that fold's rerank model.
 */
async function measureUnit(names: string[]): Promise<void> {
  const models = modelsOf(names);
  const ceilings: [string, ('before' | 'after')[], number?][] = [
    ['after', ['after']],
    ['before', ['before']],
    ['both', ['before', 'after']],
    ['both, within 800 characters', ['before', 'after'], 800],
    ['both, within 600 characters', ['before', 'after'], 600],
  ];
  for (const [name, sides, maxChars] of ceilings) {
    const unit = alwaysJoin(sides, maxChars);
    const summary = await crossValidate(names, {}, () => ({ unit, unitForFurther: false }));
    process.stdout.write(`${line(`  first quote + ${name}`, summary)}\n`);
  }
  const variants: (UnitShape & { unitForFurther?: boolean; top?: number })[] = opts.unitVariants
    ? JSON.parse(opts.unitVariants)
    : [{ threshold: -3, neighbours: 2, maxChars: 600, withRules: true }];
  for (const variant of variants) {
    const { unitForFurther = true, top = 3, ...shape } = variant;
    const units = models.map((model, fold) =>
      trainUnit(
        unitRows(
          examples.filter((e) => foldOf.get(e.article) !== fold),
          model,
          top,
        ),
        shape,
      ),
    );
    process.stderr.write(`  fold 0's unit: ${JSON.stringify({ before: units[0].before, after: units[0].after })}\n`);
    const summary = await crossValidate(names, {}, (fold) => ({ unit: units[fold], unitForFurther }));
    process.stdout.write(`${line(`  unit ${JSON.stringify(variant)}`, summary)}\n`);
  }
}

/** --write-unit: the quote unit trained on every question, scored by the shipped rerank model. */
async function writeUnit(): Promise<void> {
  const shape: UnitShape = {
    threshold: Number(opts.unitThreshold),
    neighbours: 2,
    maxChars: Number(opts.unitMaxChars),
    withRules: Boolean(opts.unitRules),
    ...(Number(opts.unitPerHundredChars) ? { perHundredChars: Number(opts.unitPerHundredChars) } : {}),
    ...(Number(opts.unitMass) ? { neighbourMass: Number(opts.unitMass) } : {}),
  };
  const model = base.rerank.model;
  if (!model) throw new Error('no shipped rerank model');
  const unit = trainUnit(unitRows([...examples, ...seedExamples], model, Number(opts.unitTop)), shape);
  unit.trainedOn = `${opts.dataset.split('/').pop()} (${examples.length} questions)${opts.seed ? ` and seed-qa.json (${seedExamples.length})` : ''}, the shipped rerank's best ${opts.unitTop} candidate(s) of each question; threshold ${shape.threshold}${shape.perHundredChars ? ` less ${shape.perHundredChars} per 100 characters` : ''}, within ${shape.maxChars} characters${shape.neighbourMass ? `; the first quote by its sentences' rerank weight (neighbourMass ${shape.neighbourMass})` : ''}`;
  await writeFile(resolve('src/answering/quote-unit.json'), `${JSON.stringify(unit, null, 2)}\n`);
  process.stdout.write('wrote src/answering/quote-unit.json\n');
}

/** A joint training: the rerank relabelled by the unit `rounds` times, then the unit trained on its scores. */
interface JointShape extends UnitShape {
  /** Rounds of relabelling (0: the rerank learns the rules' labels, as before). */
  rounds: number;
  /** The weight of a positive only the unit makes (the answer's own sentence weighs 1). */
  weight: number;
  /** Each question's best candidates the unit learns from. */
  top: number;
}

/**
 * The rerank and the quote unit trained together on `set` (the training folds, or everything): the rerank
 * learns the rules' labels; then, `rounds` times, a unit is trained on its scores and the rerank learns
 * again from the unit's labels (a candidate is positive when the quote the unit makes of it holds the
 * answer, weighing `weight` when the sentence alone does not); last, the unit is trained on the final
 * rerank's scores. `start`: the rerank learned from the rules' labels, if known.
 */
function trainJoint(
  set: Example[],
  names: string[],
  shape: JointShape,
  start = fitModel(set, names),
): { model: RerankModel; unit: QuoteUnitModel } {
  const { rounds, weight, top, ...unitShape } = shape;
  let model = start;
  for (let round = 0; round < rounds; round++) {
    const unit = trainUnit(unitRows(set, model, top), unitShape);
    let moved = 0;
    const targets = set.map((e) => {
      const scores = e.features.map((f) => scoreOf(model, f));
      const made = unitPositives(e, scores, unit);
      return made.map((held, i) => {
        if (held !== e.positive[i]) moved++;
        if (!held) return 0;
        return e.holds(e.texts[i].articleId, e.texts[i].text) ? 1 : weight;
      });
    });
    process.stderr.write(`    round ${round + 1}: ${moved} labels differ from the rules'\n`);
    model = fitModel(set, names, targets);
  }
  return { model, unit: trainUnit(unitRows(set, model, top), unitShape) };
}

/** --joint: each joint training cross-validated end to end, per fold on the training folds (and seed-qa). */
async function measureJoint(names: string[]): Promise<void> {
  const starts = modelsOf(names);
  for (const variant of JSON.parse(opts.joint ?? '[]') as Partial<JointShape>[]) {
    const shape: JointShape = {
      rounds: 1,
      weight: 1,
      top: 1,
      threshold: -4,
      neighbours: 2,
      maxChars: 800,
      withRules: false,
      ...variant,
    };
    const trained = starts.map((start, fold) =>
      trainJoint([...examples.filter((e) => foldOf.get(e.article) !== fold), ...seedExamples], names, shape, start),
    );
    const summary = await crossValidate(
      names,
      {},
      (fold) => ({ unit: trained[fold].unit, unitForFurther: true }),
      trained.map((t) => t.model),
    );
    process.stdout.write(`${line(`  joint ${JSON.stringify(variant)}`, summary)}\n`);
  }
}

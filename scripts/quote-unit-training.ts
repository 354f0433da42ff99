/**
 * The quote unit's training (src/answering/quote-unit.ts), used by
 * train-reranker.ts --unit: for the best candidates of each question (by a
 * rerank model's scores), each neighbour is a case, labelled by whether the
 * quote it makes holds a gold answer the sentence alone lacks; a logistic model
 * per side learns it.
 */

import type { AnswerType } from '../src/answering/answer-type.js';
import type { Features } from '../src/answering/features.js';
import { chooseJoins, type JoinCase, joinFeatures, type QuoteUnitModel } from '../src/answering/quote-unit.js';
import { type RerankModel, scoreOf } from '../src/answering/scorer.js';

/** What the unit's training needs of one question (train-reranker.ts's Example gives it). */
export interface UnitExample {
  answerType: AnswerType;
  features: Features[];
  texts: { id: number; text: string; before: string; after: string; articleId: string; position: number }[];
  /** The share of the question's IDF-weighted words a text holds. */
  coverage: (text: string) => number;
  /** Whether a quote of this article with this text holds a gold answer. */
  holds: (articleId: string, text: string) => boolean;
}

export interface UnitRow {
  join: JoinCase;
  positive: boolean;
}

/** The case of candidate `i`'s neighbour on `side` (undefined at the article's edge), as selectQuotes makes it. */
function joinCaseOf(e: UnitExample, i: number, side: 'before' | 'after', scores: number[], at: Map<number, number>) {
  const t = e.texts[i];
  const neighbour = side === 'before' ? t.before : t.after;
  if (!neighbour) return undefined;
  const j = at.get(side === 'before' ? t.id - 1 : t.id + 1);
  const join: JoinCase = {
    side,
    sentence: t.text,
    neighbour,
    answerType: e.answerType,
    sentenceCoverage: e.coverage(t.text),
    neighbourCoverage: e.coverage(neighbour),
    position: t.position,
    fusedShare: j === undefined ? 0 : e.features[j].fused / (e.features[i].fused || 1),
    scoreGap: j === undefined ? undefined : scores[j] - scores[i],
  };
  return join;
}

const positionsOf = (e: UnitExample) => new Map(e.texts.map((t, i) => [t.id, i]));

/** The cases of the `top` best candidates of each question by `model`, labelled. */
export function unitRows(examples: UnitExample[], model: RerankModel, top = 3): UnitRow[] {
  const rows: UnitRow[] = [];
  for (const e of examples) {
    const scores = e.features.map((f) => scoreOf(model, f));
    const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
    const at = positionsOf(e);
    for (const i of order.slice(0, top)) {
      const t = e.texts[i];
      const alone = e.holds(t.articleId, t.text);
      for (const side of ['before', 'after'] as const) {
        const join = joinCaseOf(e, i, side, scores, at);
        if (!join) continue;
        const joined = side === 'before' ? `${join.neighbour} ${t.text}` : `${t.text} ${join.neighbour}`;
        rows.push({ join, positive: !alone && e.holds(t.articleId, joined) });
      }
    }
  }
  return rows;
}

/**
 * Whether the first quote each candidate would make holds a gold answer: the
 * sentence with the neighbours `unit` joins (chooseJoins, as answering
 * chooses), the rerank's scores being `scores`. The rerank's labels when it
 * learns with the unit (train-reranker.ts --joint): a candidate whose quote
 * holds the answer is as good a first quote as the answer's own sentence.
 */
export function unitPositives(e: UnitExample, scores: number[], unit: QuoteUnitModel): boolean[] {
  const at = positionsOf(e);
  const rules = { neighbourShare: 0.7, maxChars: unit.maxChars };
  return e.texts.map((t, i) => {
    const cases = (['after', 'before'] as const).flatMap((side) => {
      const join = joinCaseOf(e, i, side, scores, at);
      return join ? [{ neighbour: { text: join.neighbour }, join }] : [];
    });
    const joined = chooseJoins(unit, t.text.length, cases, rules);
    const before = joined.find((c) => c.join.side === 'before')?.join.neighbour;
    const after = joined.find((c) => c.join.side === 'after')?.join.neighbour;
    return e.holds(t.articleId, [before, t.text, after].filter(Boolean).join(' '));
  });
}

/** Logistic regression by Adam with L2, full batch: the weights of joinFeatures' features. */
function logistic(rows: UnitRow[], epochs = 800, l2 = 1e-3): Record<string, number> {
  if (rows.length === 0) return {};
  const x = rows.map((r) => joinFeatures(r.join));
  const names = Object.keys(x[0]);
  const xs = x.map((f) => names.map((n) => f[n]));
  const w = new Float64Array(names.length);
  const m = new Float64Array(names.length);
  const v = new Float64Array(names.length);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const grad = new Float64Array(names.length);
    xs.forEach((row, i) => {
      const z = row.reduce((s, value, j) => s + value * w[j], 0);
      const error = 1 / (1 + Math.exp(-z)) - (rows[i].positive ? 1 : 0);
      for (let j = 0; j < names.length; j++) grad[j] += error * row[j];
    });
    for (let j = 0; j < names.length; j++) {
      const g = grad[j] / rows.length + (names[j] === 'bias' ? 0 : l2 * w[j]);
      m[j] = 0.9 * m[j] + 0.1 * g;
      v[j] = 0.999 * v[j] + 0.001 * g * g;
      w[j] -= (0.05 * (m[j] / (1 - 0.9 ** epoch))) / (Math.sqrt(v[j] / (1 - 0.999 ** epoch)) + 1e-8);
    }
  }
  return Object.fromEntries(names.map((n, j) => [n, Number(w[j].toFixed(4))]));
}

/** The unit's shape besides its weights: when a neighbour joins, how many may, within how many characters. */
export type UnitShape = Pick<
  QuoteUnitModel,
  'threshold' | 'neighbours' | 'maxChars' | 'withRules' | 'perHundredChars' | 'neighbourMass'
>;

/** A unit model trained on `rows`, one logistic model per side. */
export function trainUnit(rows: UnitRow[], shape: UnitShape): QuoteUnitModel {
  return {
    trainedOn: '',
    before: logistic(rows.filter((r) => r.join.side === 'before')),
    after: logistic(rows.filter((r) => r.join.side === 'after')),
    ...shape,
  };
}

/** A unit that always joins the given sides (for the ceiling: what joining costs and gains), within `maxChars`. */
export function alwaysJoin(sides: ('before' | 'after')[], maxChars = 100_000): QuoteUnitModel {
  const bias = (side: 'before' | 'after') => ({ bias: sides.includes(side) ? 100 : -100 });
  return {
    trainedOn: '',
    before: bias('before'),
    after: bias('after'),
    threshold: 0,
    neighbours: 2,
    maxChars,
    withRules: false,
  };
}

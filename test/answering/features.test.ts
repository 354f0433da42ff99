import { describe, expect, it } from 'vitest';
import { type CandidateData, FEATURE_GROUPS, featuresOf, questionFacts } from '../../src/answering/features.js';
import { SHIPPED_RERANK_MODEL } from '../../src/answering/options.js';
import { analyseQuestion } from '../../src/answering/question.js';
import type { TermWeights } from '../../src/answering/relevance.js';
import { scoreOf } from '../../src/answering/scorer.js';
import { analyze } from '../../src/arabic/tokens.js';

/** Every word weighs the same: coverage is the share of the question's words held. */
function evenWeights(question: string): TermWeights {
  const groups = analyze(question);
  return {
    coverage: (terms: ReadonlySet<string>) => groups.filter((g) => g.some((t) => terms.has(t))).length / groups.length,
  } as TermWeights;
}

const candidate = (text: string, extra: Partial<CandidateData> = {}): CandidateData => ({
  fused: 1,
  bestFused: 1,
  ranks: [0, -1, 2, -1],
  text,
  articleId: 'a',
  position: 3,
  before: '',
  after: '',
  windowTerms: new Set(analyze(text).flat()),
  ownTerms: new Set(analyze(text).flat()),
  beforeTerms: new Set(),
  afterTerms: new Set(),
  titleCoverage: 0,
  similarity: 0.5,
  holdsQuestionNumber: false,
  alignment: 0,
  ...extra,
});

describe('rerank features', () => {
  it('finds the number next to the noun asked about, and the question words close together', () => {
    const text = 'كم عدد سكان مصر؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const [near, far] = featuresOf(facts, [
      candidate('يبلغ عدد سكان مصر 104 ملايين نسمة.'),
      candidate('في عام 2020 قال التقرير إن الزراعة تشغل كثيرا من السكان في الريف، وإن مصر تستورد القمح.'),
    ]);
    expect(near.numberNearTerm).toBe(1);
    expect(far.numberNearTerm).toBe(0);
    expect(near.density).toBeGreaterThan(far.density);
    expect(near.adjacentPairs).toBeGreaterThan(0);
    expect(near.listsAgreeing).toBe(0.5);
  });

  it('marks the lead sentence for who/what-is questions, and the article holding most candidates', () => {
    const text = 'من هو نجيب محفوظ؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const [lead, other] = featuresOf(facts, [
      candidate('نجيب محفوظ روائي مصري حاز جائزة نوبل.', { position: 0 }),
      candidate('كتب نجيب محفوظ الثلاثية.', { articleId: 'b', fused: 0.5 }),
    ]);
    expect(lead.leadForDefinition).toBe(1);
    expect(other.leadForDefinition).toBe(0);
    expect(lead.articleShare).toBeCloseTo(1 / 1.5, 5);
    expect(other.articleFirst).toBe(0);
  });

  it('weighs the word alignment as it is and as a rank among the candidates, ties sharing the better rank', () => {
    const text = 'متى اغتيل السادات؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const features = featuresOf(
      facts,
      [0.2, 0.9, 0.5, 0.9].map((alignment) => candidate('قتل السادات عام 1981.', { alignment })),
    );
    expect(features.map((f) => f.alignment)).toEqual([0.2, 0.9, 0.5, 0.9]);
    // rankWeight: 1 / (1 + rank / 5), the rank being how many candidates align better.
    expect(features.map((f) => f.alignmentRank)).toEqual([1 / (1 + 3 / 5), 1, 1 / (1 + 2 / 5), 1]);
  });

  it('counts the question words a neighbour adds: the subject named in the sentence before', () => {
    const text = 'ما الحزب الذي يرأسه أردوغان؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const terms = (s: string) => new Set(analyze(s).flat());
    const before = 'رجب طيب أردوغان سياسي تركي.';
    const sentence = 'يرأس حزب العدالة والتنمية منذ تأسيسه.';
    const [leaning, alone] = featuresOf(facts, [
      candidate(sentence, { before, beforeTerms: terms(before), windowTerms: terms(`${before} ${sentence}`) }),
      candidate(sentence, { articleId: 'b' }),
    ]);
    expect(leaning.withBefore).toBeGreaterThan(leaning.withAfter);
    expect(leaning.withAfter).toBe(alone.withAfter);
    expect(leaning.neighbourGain).toBeGreaterThan(0);
    expect(alone.neighbourGain).toBe(0);
    // Each article over all its candidates: the first article's windows hold more of the question.
    expect(leaning.articleCoverage).toBeGreaterThan(alone.articleCoverage);
    expect(leaning.articleCount).toBe(0.5);
  });

  it('tells when a neighbour would complete the sentence: the date asked for only next to it, the next one leaning on it', () => {
    const text = 'متى افتتح المعرض الدولي للكتاب؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const sentence = 'افتتح الرئيس المعرض الدولي للكتاب.';
    const [completed, dated, plain] = featuresOf(
      facts,
      [
        candidate(sentence, { after: 'وكان ذلك في 12 مارس 2019.', before: 'وصل الرئيس إلى القاهرة.' }),
        candidate('افتتح الرئيس المعرض عام 2019.', { after: 'وكان ذلك في 12 مارس 2019.' }),
        candidate(sentence, { after: 'وهو أكبر معرض في المنطقة.' }),
      ],
      FEATURE_GROUPS.neighbours,
    );
    expect(completed).toMatchObject({ typeOnlyAfter: 1, typeOnlyBefore: 0, afterLeans: 0 });
    // The sentence holds a date itself: the neighbour's adds nothing.
    expect(dated.typeOnlyAfter).toBe(0);
    expect(plain).toMatchObject({ typeOnlyAfter: 0, afterLeans: 1 });
  });

  it('computes the window and article features only for a model that weighs them', () => {
    const text = 'من هو نجيب محفوظ؟';
    const facts = questionFacts(analyseQuestion(text, null), evenWeights(text));
    const [plain] = featuresOf(facts, [candidate('نجيب محفوظ روائي مصري.')], ['fused', 'lead']);
    expect(plain.withBefore).toBeUndefined();
    expect(plain.articleCoverage).toBeUndefined();
    const [wanted] = featuresOf(facts, [candidate('نجيب محفوظ روائي مصري.')], ['withBefore', 'articleCount']);
    expect(wanted.withBefore).toBe(1);
    expect(wanted.windowAll).toBe(1);
    expect(wanted.articleCount).toBe(1);
  });

  it('ships a model whose features all exist, scored as a weighted sum', () => {
    const known = new Set(Object.values(FEATURE_GROUPS).flat());
    const without = SHIPPED_RERANK_MODEL.withoutAlignment;
    for (const name of Object.keys(SHIPPED_RERANK_MODEL.weights)) expect(known.has(name), name).toBe(true);
    // The model for embedders without token vectors weighs everything else, and nothing of the alignment.
    expect(Object.keys(without?.weights ?? {}).sort()).toEqual(
      Object.keys(SHIPPED_RERANK_MODEL.weights)
        .filter((name) => !FEATURE_GROUPS.alignment.includes(name))
        .sort(),
    );
    expect(scoreOf({ trainedOn: '', weights: { lead: 2, density: -1 } }, { lead: 1, density: 0.5, fused: 9 })).toBe(
      1.5,
    );
  });
});

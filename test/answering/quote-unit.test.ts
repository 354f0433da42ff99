import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS } from '../../src/answering/options.js';
import {
  chooseJoins,
  completedByAfter,
  type JoinCase,
  joinScore,
  leansOnBefore,
  type QuoteUnitModel,
} from '../../src/answering/quote-unit.js';

describe('the quote unit', () => {
  it('joins a sentence that opens with a pronoun or a connective to the one before', () => {
    expect(leansOnBefore('وهو أول رئيس يزور البلاد منذ عشر سنوات.', 'وصل الرئيس إلى بكين.')).toBe(true);
    expect(leansOnBefore('كما أعرب عن تأييده للموقف الصيني.', 'قال بوتين إن الشراكة تتطور.')).toBe(true);
    // «و…» alone does not lean: most news sentences open with it.
    expect(leansOnBefore('وقال الوزير إن المحادثات كانت مثمرة.', 'وصل الوفد.')).toBe(false);
  });

  it('joins the two halves of a sentence cut at «؛» or «:»', () => {
    expect(leansOnBefore('ليعيدهم إلى التوحيد.', 'يؤمن المسلمون بأنه رسول الله؛')).toBe(true);
    expect(completedByAfter('وأضاف المتحدث:', 'إن الاجتماع ناجح.', undefined)).toBe(true);
    expect(completedByAfter('وصل الوفد إلى موسكو.', 'وعقد اجتماعا.', undefined)).toBe(false);
  });

  it('joins the next sentence when it holds the date or number asked for and this one does not', () => {
    const named = 'افتتح الرئيس المعرض الدولي للكتاب.';
    expect(completedByAfter(named, 'وكان ذلك في 12 مارس 2019.', 'time')).toBe(true);
    expect(completedByAfter(named, 'وكان ذلك في 12 مارس 2019.', 'quantity')).toBe(true);
    expect(completedByAfter(named, 'وحضره وزراء الثقافة.', 'time')).toBe(false);
    expect(completedByAfter('افتتح المعرض عام 2019.', 'وزاره في 2020 مليون شخص.', 'time')).toBe(false);
  });
});

describe('the learned quote unit (quote-unit.json)', () => {
  const unit = DEFAULT_ANSWER_OPTIONS.quoting.unit;
  if (!unit) throw new Error('no quote unit is shipped');
  const joins = (c: JoinCase) => joinScore(unit, c) >= unit.threshold;
  // A sentence that names what the question asks about, without the date it asks for.
  const named = 'افتتح الرئيس المعرض الدولي للكتاب في القاهرة بحضور عدد من الوزراء والكتاب.';

  it('joins the next sentence when it holds the date asked for and scores close to the sentence', () => {
    const c: JoinCase = {
      side: 'after',
      sentence: named,
      neighbour: 'وكان ذلك في الثاني عشر من مارس عام 2019.',
      answerType: 'time',
      sentenceCoverage: 0.7,
      neighbourCoverage: 0.2,
      position: 2,
      fusedShare: 0.8,
      scoreGap: -0.5,
    };
    expect(joins(c)).toBe(true);
    // The same neighbour is worth less once the sentence holds a date itself.
    expect(joinScore(unit, { ...c, sentence: `${named.slice(0, -1)} عام 2019.` })).toBeLessThan(joinScore(unit, c));
  });

  it('joins the sentence before to one that opens with a pronoun, when the one before holds the question’s words', () => {
    const c: JoinCase = {
      side: 'before',
      sentence: 'وهو أول رئيس يزور البلاد منذ عشر سنوات.',
      neighbour: 'وصل الرئيس الفرنسي إلى بكين في زيارة رسمية.',
      answerType: undefined,
      sentenceCoverage: 0.3,
      neighbourCoverage: 0.6,
      position: 4,
      fusedShare: 0.9,
      scoreGap: -0.3,
    };
    expect(joins(c)).toBe(true);
  });

  it('leaves out a neighbour that holds nothing of the question next to a sentence that holds all of it', () => {
    const unrelated =
      'وتضم المدينة عددا كبيرا من المتاحف والمكتبات العامة والحدائق التي يرتادها السكان في عطلات نهاية الأسبوع، كما تشتهر بأسواقها القديمة ومقاهيها التي يجتمع فيها الأدباء والفنانون منذ عقود طويلة، وتعد وجهة مفضلة للسياح القادمين من مختلف أنحاء العالم.';
    const c: JoinCase = {
      side: 'after',
      sentence: 'ولد نجيب محفوظ في حي الجمالية بالقاهرة في الحادي عشر من ديسمبر عام 1911.',
      neighbour: unrelated,
      answerType: 'time',
      sentenceCoverage: 1,
      neighbourCoverage: 0,
      position: 12,
      fusedShare: 0,
      scoreGap: undefined,
    };
    expect(joins(c)).toBe(false);
    expect(joins({ ...c, side: 'before' })).toBe(false);
  });
});

describe('chooseJoins', () => {
  // A unit whose every neighbour scores a log-odds of 0 (only the bias weighs, and it is 0).
  const even: QuoteUnitModel = {
    trainedOn: 'test',
    before: { bias: 0 },
    after: { bias: 0 },
    threshold: -1,
    neighbours: 2,
    maxChars: 10_000,
    withRules: false,
  };
  const rules = { neighbourShare: 0.7, maxChars: 800 };
  const neighbour = (side: 'before' | 'after', text: string) => ({
    neighbour: { text },
    join: {
      side,
      sentence: 'جملة',
      neighbour: text,
      answerType: undefined,
      sentenceCoverage: 0,
      neighbourCoverage: 0,
      position: 1,
      fusedShare: 0,
    } satisfies JoinCase,
  });
  const short = neighbour('before', 'ق'.repeat(50));
  const long = neighbour('after', 'ط'.repeat(300));
  const sides = (unit: QuoteUnitModel) => chooseJoins(unit, 100, [long, short], rules).map((c) => c.join.side);

  it('joins every neighbour above the threshold, at most `neighbours`, within `maxChars`', () => {
    expect(sides(even)).toEqual(['after', 'before']);
    expect(sides({ ...even, neighbours: 1 })).toEqual(['after']);
    // The long one would pass the cap: the short one still fits.
    expect(sides({ ...even, maxChars: 300 })).toEqual(['before']);
    expect(sides({ ...even, threshold: 0.5 })).toEqual([]);
  });

  it('charges a neighbour for its length (perHundredChars): the short one joins, the long one no longer does', () => {
    // Log-odds 0 less 0.5 per 100 characters: −0.25 for 50 characters, −1.5 for 300 (threshold −1).
    expect(sides({ ...even, perHundredChars: 0.5 })).toEqual(['before']);
    expect(sides({ ...even, perHundredChars: 0.1 })).toEqual(['before', 'after']);
  });
});

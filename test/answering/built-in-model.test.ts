import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_OPTIONS } from '../../src/answering/options.js';
import type { AnswerService } from '../../src/answering/service.js';
import { BUILT_IN_MODEL } from '../../src/embedding/models.js';
import { readDataset } from '../../src/eval/datasets.js';
import { firstHitRank } from '../../src/eval/metrics.js';
import { evaluate } from '../../src/eval/run.js';
import { unsupportedLanguageText } from '../../src/i18n/i18n.js';
import { LocalEngine } from '../../src/search/local/engine.js';
import { builtInEmbedder, CHUNKING, openService, seedIndex } from '../helpers/fixtures.js';
import { OFF_TOPIC, SEED_QA } from '../helpers/paths.js';

/** The seed questions and the off-topic set, answered with the model that ships with the project. */
let indexDir: string;
let service: AnswerService;

beforeAll(async () => {
  const embedder = await builtInEmbedder();
  const { index, indexDir: dir } = await seedIndex(embedder);
  indexDir = dir;
  expect(index.manifest).toMatchObject({ model: BUILT_IN_MODEL, dimension: 256, counts: { articles: 5 } });
  service = await openService(indexDir, embedder);
});

describe(`seed questions with the built-in model (${BUILT_IN_MODEL})`, () => {
  it('finds every Arabic seed question in the first three quotes and refuses every Arabic off-topic one', async () => {
    const seed = await readDataset(SEED_QA);
    const offTopic = await readDataset(OFF_TOPIC);
    const arabic = {
      questions: [...seed.questions, ...offTopic.questions].filter((q) => /[\u0600-\u06FF]/.test(q.question)),
    };
    const { records } = await evaluate(arabic, {
      embedder: await builtInEmbedder(),
      engine: LocalEngine.fromFolder(indexDir),
      chunking: CHUNKING,
    });

    const missed = records.filter((r) => !r.question.noAnswer && !(firstHitRank(r.question, r.answer) >= 1));
    expect(missed.map((r) => r.question.id)).toEqual([]);
    const wronglyFound = records.filter((r) => r.question.noAnswer && r.answer.found);
    expect(wronglyFound.map((r) => r.question.id)).toEqual([]);
  });

  it('shows only quotes that stand on their own: scored within the margin of the best, never padded', async () => {
    const answer = await service.ask('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟', { count: 10 });
    expect(answer.found).toBe(true);
    expect(answer.quotes.length).toBeGreaterThanOrEqual(1);
    expect(answer.quotes.length).toBeLessThan(10);
    const best = answer.quotes[0].score;
    const { margin, sameArticleMargin } = DEFAULT_ANSWER_OPTIONS.notFound;
    for (const q of answer.quotes) {
      // The first quote's article has the looser margin: its other sentences often hold the answer.
      const allowed = q.articleId === answer.quotes[0].articleId ? sameArticleMargin : margin;
      expect(best - q.score).toBeLessThanOrEqual(allowed);
    }
  });

  it('tells an English question, in English, that questions are searched in Arabic', async () => {
    const seed = await readDataset(SEED_QA);
    const english = seed.questions.filter((q) => !/[\u0600-\u06FF]/.test(q.question));
    expect(english.length).toBeGreaterThan(0);
    for (const q of english) {
      const answer = await service.ask(q.question);
      expect(answer, q.question).toMatchObject({ found: false, quotes: [], unsupportedLanguage: 'en' });
    }
    expect(unsupportedLanguageText('en')).toMatch(/in Arabic/);
  });

  it('answers the explanation in the asker’s language where it has one, in English otherwise', async () => {
    expect((await service.ask('Quel est le rôle de la Chine en Afghanistan ?')).unsupportedLanguage).toBe('fr');
    expect((await service.ask('Что Путин сказал о Тайване?')).unsupportedLanguage).toBe('ru');
    expect(unsupportedLanguageText('fr')).toMatch(/en arabe/);
    expect(unsupportedLanguageText('sw')).toBe(unsupportedLanguageText('en'));
    // A question in Arabic script, and one of digits only, are searched as they are.
    expect((await service.ask('كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟')).unsupportedLanguage).toBeUndefined();
    expect((await service.ask('2020؟')).unsupportedLanguage).toBeUndefined();
  });
});

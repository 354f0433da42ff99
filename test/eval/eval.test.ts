import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answering/answerer.js';
import { BUILT_IN_MODEL } from '../../src/embedding/models.js';
import { readDataset } from '../../src/eval/datasets.js';
import { firstHitRank, percentile, summarize } from '../../src/eval/metrics.js';
import { evaluateFile } from '../../src/eval/run.js';
import { lastJsonLine, runCli } from '../helpers/cli.js';
import { builtInEmbedder, CHUNKING, tempDir, tinyEmbedder, tinyModelEnv } from '../helpers/fixtures.js';
import { ARCD, CORPUS_DIR, OFF_TOPIC } from '../helpers/paths.js';

const quote = (text: string, articleId: string) => ({
  text,
  articleId,
  title: '',
  outlet: '',
  date: '',
  score: 1,
  sentenceIds: [],
  sentences: [text],
  alsoIn: [],
});
const answer = (...quotes: ReturnType<typeof quote>[]): Answer => ({ question: 'q', found: quotes.length > 0, quotes });

describe('metrics', () => {
  const question = { id: 'x', question: 'q', sources: ['a'], answers: ['ليست تحالفا عسكريا'], noAnswer: false };

  it('counts a quote that holds the answer after normalization, from an allowed source', () => {
    expect(firstHitRank(question, answer(quote('نص آخر', 'a'), quote('العلاقة ليست تحالفاً عسكرياً سياسياً', 'a')))).toBe(
      2,
    );
    expect(firstHitRank(question, answer(quote('العلاقة ليست تحالفاً عسكرياً', 'b')))).toBe(0);
  });

  it('counts questions in a language the model cannot read apart, and the quotes of found answers', () => {
    const unread: Answer = { question: 'q', found: false, quotes: [], unsupportedLanguage: 'en' };
    const s = summarize([
      { question, answer: unread, ms: 1 },
      { question, answer: answer(quote('ليست تحالفا عسكريا', 'a'), quote('نص', 'b'), quote('نص آخر', 'a')), ms: 1 },
      { question, answer: answer(quote('1234', 'b')), ms: 1 },
    ]);
    expect(s).toMatchObject({ questions: 3, unreadable: 1, answerable: 2, hitAt1: 0.5 });
    expect(s.quotesPerAnswer).toBe(2);
    expect(s.otherArticleQuotes).toBe(1); // (1 + 1) / 2
    expect(s.firstQuoteChars).toBe(Math.round(('ليست تحالفا عسكريا'.length + 4) / 2));
  });

  it('summarizes hit@1, hit@3, MRR, not-found accuracy and latency percentiles', () => {
    const noAnswer = { ...question, id: 'n', noAnswer: true, answers: [], sources: [] };
    const s = summarize([
      { question, answer: answer(quote('ليست تحالفا عسكريا', 'a')), ms: 1 },
      { question, answer: answer(quote('-', 'a'), quote('-', 'a'), quote('ليست تحالفا عسكريا', 'a')), ms: 3 },
      { question: noAnswer, answer: answer(), ms: 2 },
      { question: noAnswer, answer: answer(quote('-', 'a')), ms: 10 },
    ]);
    expect(s).toMatchObject({
      questions: 4,
      answerable: 2,
      hitAt1: 0.5,
      hitAt3: 1,
      notFoundAccuracy: 0.5,
      falseNotFound: 0,
    });
    expect(s.mrr).toBeCloseTo((1 + 1 / 3) / 2, 3);
    expect(s.combined).toEqual({ lowestFound: null, highestNoAnswer: null });
  });

  it('reports the room of the not-found check: lowest "combined" answered, highest unanswerable', () => {
    const noAnswer = { ...question, id: 'n', noAnswer: true, answers: [], sources: [] };
    const relevance = (coverage: number, similarity: number) => ({ relevance: { coverage, similarity } });
    const s = summarize([
      { question, answer: { ...answer(quote('ليست تحالفا عسكريا', 'a')), ...relevance(0.5, 0.6) }, ms: 1 },
      { question, answer: { ...answer(quote('ليست تحالفا عسكريا', 'a')), ...relevance(0.9, 0.7) }, ms: 1 },
      { question, answer: { ...answer(quote('-', 'a')), ...relevance(0.1, 0.5) }, ms: 1 },
      { question: noAnswer, answer: { ...answer(), ...relevance(0.2, 0.6) }, ms: 1 },
      { question: noAnswer, answer: { ...answer(), ...relevance(0.3, 0.4) }, ms: 1 },
    ]);
    expect(s.combined).toEqual({ lowestFound: 1.1, highestNoAnswer: 0.8 });
    expect(percentile([1, 2, 3, 10], 50)).toBe(2);
    expect(percentile([1, 2, 3, 10], 95)).toBe(10);
  });
});

describe('readDataset', () => {
  it('turns a SQuAD file into one article per entry and its questions', async () => {
    const file = join(tempDir('squad'), 'squad.json');
    const context = 'ولد الكاتب في القاهرة عام 1911. وكتب عشرات الروايات.';
    writeFileSync(
      file,
      JSON.stringify({
        data: [
          {
            title: 'نجيب محفوظ',
            paragraphs: [
              { context, qas: [{ id: '1', question: 'أين ولد؟', answers: [{ text: 'القاهرة', answer_start: 14 }] }] },
              {
                context: `${context} وحصل على نوبل.`,
                qas: [{ id: '2', question: 'ماذا كتب؟', answers: [{ text: 'عشرات الروايات', answer_start: 40 }] }],
              },
            ],
          },
        ],
      }),
    );
    const dataset = await readDataset(file);
    expect(dataset.questions.map((q) => q.sources)).toEqual([['squad-0000'], ['squad-0000']]);
    expect(dataset.articles).toHaveLength(1);
    // The second paragraph contains the first: the article holds it once.
    expect(dataset.articles?.[0].markdown.match(/ولد الكاتب/g)).toHaveLength(1);
    expect(dataset.articles?.[0].markdown).toContain('title: "نجيب محفوظ"');
  });
});

describe('npm run eval', () => {
  it('says in one line why a --dataset file cannot be used', async () => {
    const dir = tempDir('eval-bad');
    writeFileSync(join(dir, 'broken.json'), '{"questions": [');
    writeFileSync(join(dir, 'other.json'), '{"items": []}');
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.json'), /: no such file\.$/],
      [join(dir, 'broken.json'), /: it is not JSON \(.+\)\.$/],
      [join(dir, 'other.json'), /: it has neither a "questions" array \(our format\) nor a "data" array \(SQuAD\)\.$/],
    ];
    for (const [file, reason] of cases) {
      const result = await runCli('eval', ['--dataset', file, '--json'], tinyModelEnv());
      expect(result.code, file).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines, file).toHaveLength(1);
      expect(lines[0].startsWith(`Error: Cannot read the question set ${file}: `)).toBe(true);
      expect(lines[0]).toMatch(reason);
    }
  });

  it('prints figures as JSON for our question format', async () => {
    const indexDir = join(tempDir('eval'), 'embeddings');
    await runCli('index-corpus', ['--corpus', CORPUS_DIR, '--out', indexDir], tinyModelEnv());
    const result = await runCli('eval', ['--dataset', OFF_TOPIC, '--index', indexDir, '--json'], tinyModelEnv());
    expect(result.code).toBe(0);
    const figures = lastJsonLine(result.stdout);
    expect(figures).toMatchObject({ questions: 32, unreadable: 0, answerable: 0, notFoundAccuracy: 1 });
    expect(figures.latencyMs).toHaveProperty('p95');
  });

  it('indexes a SQuAD file in a temporary folder and scores it', async () => {
    const file = join(tempDir('squad'), 'squad.json');
    writeFileSync(
      file,
      JSON.stringify({
        data: [
          {
            title: 'بوتين',
            paragraphs: [
              {
                context: 'قال بوتين إن الشراكة مع الصين تطورت بشكل سريع. وتمنى للشعب الصيني السعادة والصحة الجيدة.',
                qas: [
                  {
                    id: '1',
                    question: 'ماذا تمنى بوتين للشعب الصيني؟',
                    answers: [{ text: 'السعادة والصحة الجيدة', answer_start: 0 }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const { summary } = await evaluateFile(file, { embedder: await tinyEmbedder(), chunking: CHUNKING });
    expect(summary).toMatchObject({ questions: 1, hitAt3: 1 });
  });
});

describe(`ARCD train with the built-in model (${BUILT_IN_MODEL})`, () => {
  // The whole of ARCD answered once: a minute or more on a busy 2-core machine.
  it('reaches hit@3 ≥ 0.93 and hit@1 ≥ 0.82, quotes under 0.4 passages per answer from other articles, refuses under 1.5% wrongly', {
    timeout: 240_000,
  }, async () => {
    const { summary } = await evaluateFile(ARCD, {
      embedder: await builtInEmbedder(),
      chunking: CHUNKING,
    });
    expect(summary.questions).toBe(693);
    // The shipped rerank model and quote unit were trained on these questions: their cross-validated
    // figures (scripts/train-reranker.ts --joint, 5 folds by article, three dealings) are 0.822 / 0.935;
    // these are in-sample (0.830 / 0.939 measured).
    expect(summary.hitAt3).toBeGreaterThanOrEqual(0.93);
    expect(summary.hitAt1).toBeGreaterThanOrEqual(0.82);
    expect(summary.falseNotFound).toBeLessThan(0.015);
    expect(summary.otherArticleQuotes).toBeLessThan(0.4);
    expect(summary.quotesPerAnswer).toBeLessThan(3);
    // The first quote stays short: at most 1.5 times its length before the quote unit (about 290 characters;
    // 327 before the learned unit, 406 before the first quote was chosen by its sentences' weight, 431 measured).
    expect(summary.firstQuoteChars).toBeLessThanOrEqual(435);
  });
});

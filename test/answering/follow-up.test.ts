import { describe, expect, it } from 'vitest';
import { resolveFollowUp, resolveFollowUpQuestion } from '../../src/answering/follow-up.js';
import { contentTerms } from '../../src/arabic/tokens.js';
import { readDataset } from '../../src/eval/datasets.js';
import { ARCD, OFF_TOPIC, SEED_QA } from '../helpers/paths.js';

/** The rewrite holds every content word of `words` (as retrieval sees them). */
function expectTerms(question: string, words: string): void {
  const terms = new Set(contentTerms(question));
  for (const term of contentTerms(words)) expect(terms, `${term} in «${question}»`).toContain(term);
}

describe('resolveFollowUp: follow-ups carry the previous subject over', () => {
  it('replaces a lone demonstrative with what the previous question asked about, keeping the new question word', () => {
    const { question, rule } = resolveFollowUpQuestion('ومتى حدث ذلك؟', 'ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    expect(rule).toBe('reference');
    expect(question).toBe('متى قال بيسكوف عن الوضع في أفغانستان؟');
  });

  it('asks «أين/من … ذلك» about the previous subject', () => {
    expect(resolveFollowUp('وأين قال ذلك؟', 'ماذا قال بيسكوف عن أفغانستان؟')).toBe('أين قال بيسكوف عن أفغانستان؟');
    expectTerms(
      resolveFollowUp('ومن قال ذلك؟', 'هل العلاقة بين الصين وروسيا تحالف عسكري؟'),
      'العلاقة الصين وروسيا تحالف عسكري',
    );
  });

  it('replaces a preposition with an attached pronoun («عنها») by the preposition and the previous subject', () => {
    const { question, rule } = resolveFollowUpQuestion('ماذا قال بوتين عنها؟', 'ما موقف روسيا من قضية تايوان؟');
    expect(rule).toBe('reference');
    expect(question).toBe('ماذا قال بوتين عن موقف روسيا من قضية تايوان؟');
  });

  it('puts X of «وماذا عن X؟» in the place of the previous topic, or of the last of two joined by «و»', () => {
    expect(resolveFollowUp('وماذا عن الهند؟', 'ما موقف روسيا من قضية تايوان؟')).toBe('ما موقف روسيا من الهند؟');
    expect(resolveFollowUp('وماذا عن الهند؟', 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟')).toBe(
      'كم بلغت قيمة التجارة الثنائية بين الصين والهند؟',
    );
    // Other ways to say it: «والهند؟», «وبالنسبة للهند؟».
    for (const followUp of ['والهند؟', 'وبالنسبة للهند؟', 'وعن الهند؟']) {
      expect(resolveFollowUpQuestion(followUp, 'كم بلغت التجارة بين الصين وروسيا؟')).toEqual({
        question: 'كم بلغت التجارة بين الصين والهند؟',
        rule: 'what-about',
      });
    }
  });

  it('puts a bare name («وماذا عن بوتين؟») in the place of the previous speaker', () => {
    expect(resolveFollowUp('وماذا عن بوتين؟', 'ماذا قال شي عن أفغانستان؟')).toBe('ماذا قال بوتين عن أفغانستان؟');
  });

  it('gives a «و» question with a speaker but no topic the previous topic («وماذا قال بوتين؟»)', () => {
    expect(resolveFollowUpQuestion('وماذا قال بوتين؟', 'ماذا قال شي عن أفغانستان؟')).toEqual({
      question: 'ماذا قال بوتين عن أفغانستان؟',
      rule: 'speech',
    });
    expect(resolveFollowUp('وما موقف الصين؟', 'ما موقف روسيا من قضية تايوان؟')).toBe('ما موقف الصين من قضية تايوان؟');
  });

  it('gives a verb of saying with no subject («ماذا قال عن…») the previous subject', () => {
    expect(resolveFollowUp('وماذا قال عن طالبان؟', 'من هو المتحدث باسم الكرملين؟')).toBe(
      'ماذا قال المتحدث باسم الكرملين عن طالبان؟',
    );
  });

  it('asks the previous subject again for a bare question word («ولماذا؟», «وبأي مناسبة؟»)', () => {
    expect(resolveFollowUpQuestion('ولماذا؟', 'ما الاستراتيجية التي دعت الصين إلى مقاومتها؟')).toEqual({
      question: 'لماذا الاستراتيجية التي دعت الصين إلى مقاومتها؟',
      rule: 'bare',
    });
    expectTerms(resolveFollowUp('وبأي مناسبة؟', 'ماذا تمنى بوتين للشعب الصيني؟'), 'مناسبة تمنى بوتين الشعب الصيني');
    expect(resolveFollowUp('متى؟', 'ماذا أطلق الجانبان؟')).toBe('متى أطلق الجانبان؟');
  });

  it('keeps the subject through a chain of follow-ups when given the previous rewrite', () => {
    const first = resolveFollowUp('وماذا قال بوتين؟', 'ماذا قال شي عن أفغانستان؟');
    const second = resolveFollowUp('ومتى قال ذلك؟', first);
    expectTerms(second, 'بوتين أفغانستان');
    expect(second.startsWith('متى')).toBe(true);
  });

  it('handles English follow-ups where it is cheap', () => {
    expect(resolveFollowUpQuestion('what about the Taliban?', 'What did Peskov say about Afghanistan?')).toEqual({
      question: 'What did Peskov say about the Taliban?',
      rule: 'what-about',
    });
    expectTerms(
      resolveFollowUp('And when did that happen?', 'What did Peskov say about Afghanistan?'),
      'Peskov Afghanistan',
    );
    expectTerms(resolveFollowUp('and why?', 'What did Putin wish the Chinese people?'), 'Putin wish Chinese people');
  });
});

describe('resolveFollowUp: questions that stand on their own are returned unchanged', () => {
  const previous = 'ما موقف روسيا من قضية تايوان؟';

  it.each([
    'وما موقف الصين من تايوان؟', // «و» but a subject and a topic of its own
    'وما عاصمة مصر؟',
    'كم بلغت التجارة هذا العام؟', // «هذا العام» points at the present
    'من أنت؟', // about the bot
    'ما اسمك؟',
    'ما المدينة التي عقد فيها الاجتماع؟', // «فيها» points inside the question
    'كم مرة ذكر اسم عيسى عليه السلام في القرآن؟', // an honorific, not a pronoun
    'ماهي السلالات التي أكدت على الاستقلال الإيراني؟', // the relative clause names the subject
    'هل توجد جوائز فنية حصل عليها ثامر حسني على الصعيد الأفريقي؟',
    'ما هي عاصمة البرازيل؟',
    'How do I bake sourdough bread?',
    'Is there a deal between China and Russia?',
  ])('%s', (question) => {
    expect(resolveFollowUpQuestion(question, previous)).toEqual({ question });
  });

  it('changes nothing without a previous question', () => {
    expect(resolveFollowUp('ومتى حدث ذلك؟', undefined)).toBe('ومتى حدث ذلك؟');
    expect(resolveFollowUp('ومتى حدث ذلك؟', '  ')).toBe('ومتى حدث ذلك؟');
  });

  it('changes no question of seed-qa.json or off-topic.json, whichever seed question came before', async () => {
    const seed = (await readDataset(SEED_QA)).questions.map((q) => q.question);
    const offTopic = (await readDataset(OFF_TOPIC)).questions.map((q) => q.question);
    expect(seed.length).toBeGreaterThan(10);
    const changed: string[] = [];
    for (const question of [...seed, ...offTopic]) {
      for (const before of seed) {
        if (before !== question && resolveFollowUp(question, before) !== question)
          changed.push(`${before} → ${question}`);
      }
    }
    // The same question text gets the same answer: no seed answer can change.
    expect(changed).toEqual([]);
  });

  it('changes under 1% of the 693 ARCD questions (each written to stand alone next to its paragraph)', async () => {
    const arcd = (await readDataset(ARCD)).questions.map((q) => q.question);
    const seed = (await readDataset(SEED_QA)).questions.map((q) => q.question);
    const changed = arcd.filter((q) => resolveFollowUp(q, seed[0]) !== q);
    expect(arcd.length).toBe(693);
    expect(changed.length / arcd.length).toBeLessThan(0.01);
  });
});

import { describe, expect, it } from 'vitest';
import { completedByAfter, leansOnBefore } from '../../src/answering/quote-unit.js';

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

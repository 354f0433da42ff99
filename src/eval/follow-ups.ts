import { readFile } from 'node:fs/promises';
import type { Answer } from '../answering/answerer.js';
import { resolveFollowUp } from '../answering/follow-up.js';
import type { AnswerService } from '../answering/service.js';
import type { EvalQuestion } from './datasets.js';
import { firstHitRank } from './metrics.js';

/** A question asked right after another in the same chat, and what counts as answering it. */
export interface FollowUpPair {
  id: string;
  previous: string;
  followUp: string;
  sources: string[];
  answers: string[];
}

export interface FollowUpRecord {
  pair: FollowUpPair;
  /** The question asked with the carry-over (the follow-up itself when it was not rewritten). */
  resolved: string;
  /** Answered right (in the first three quotes) when asked as typed, and when resolved. */
  rightWithout: boolean;
  rightWith: boolean;
  without: Answer;
  with: Answer;
}

/** Reads follow-up pairs (test/fixtures/follow-ups.json). */
export async function readFollowUps(file: string): Promise<FollowUpPair[]> {
  return (JSON.parse(await readFile(file, 'utf8')) as { pairs: FollowUpPair[] }).pairs;
}

function isRight(pair: FollowUpPair, answer: Answer): boolean {
  const question: EvalQuestion = { ...pair, question: pair.followUp, noAnswer: false };
  const rank = firstHitRank(question, answer);
  return rank >= 1 && rank <= 3;
}

/** Asks each follow-up twice: as typed, and with the previous question's subject carried over. */
export async function evaluateFollowUps(service: AnswerService, pairs: FollowUpPair[]): Promise<FollowUpRecord[]> {
  const records: FollowUpRecord[] = [];
  for (const pair of pairs) {
    const resolved = resolveFollowUp(pair.followUp, pair.previous);
    const without = await service.ask(pair.followUp, { count: 3 });
    const withCarry = resolved === pair.followUp ? without : await service.ask(resolved, { count: 3 });
    records.push({
      pair,
      resolved,
      rightWithout: isRight(pair, without),
      rightWith: isRight(pair, withCarry),
      without,
      with: withCarry,
    });
  }
  return records;
}

import { analyze } from '../arabic/tokens.js';
import { isZeroVector } from '../search/vectors.js';
import { type AnswerType, answerTypeOf } from './answer-type.js';

/** A question as every stage of answering uses it: analysed once. */
export interface Question {
  /** The question as asked, trimmed. */
  text: string;
  /** Its words as BM25 and coverage see them (see analyze): each word's terms. */
  terms: string[][];
  /** What kind of answer its question word asks for, if it says. */
  answerType: AnswerType;
  /** Its embedding; null when the model saw nothing it knows in it. */
  vector: Float32Array | null;
}

export function analyseQuestion(text: string, vector: Float32Array | null): Question {
  const trimmed = text.trim();
  return {
    text: trimmed,
    terms: analyze(trimmed),
    answerType: answerTypeOf(trimmed),
    vector: vector && !isZeroVector(vector) ? vector : null,
  };
}

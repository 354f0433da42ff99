import type { AnswerService } from '../answering/service.js';
import type { Logger } from '../log.js';
import type { ButtonStore } from './button-store.js';

/** What the handlers work with, besides grammY's context. */
export interface BotDeps {
  answers: AnswerService;
  buttons: ButtonStore;
  logger: Logger;
  /** Quotes per answer (and per "more" page). */
  answerCount: number;
}

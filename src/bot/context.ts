import type { Context } from 'grammy';
import type { AnswerService } from '../answering/service.js';
import type { Logger } from '../log.js';
import type { ButtonStore } from './button-store.js';

/** What every handler may use, besides grammY's own context. */
export interface BotDeps {
  answers: AnswerService;
  buttons: ButtonStore;
  logger: Logger;
  answerCount: number;
}

export type BotContext = Context;

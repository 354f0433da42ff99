import type { AnswerService } from '../answering/service.js';
import type { TranslatedContext } from '../i18n/i18n.js';
import type { Logger } from '../log.js';
import type { ButtonStore } from './state/button-store.js';

/** The context of every update: grammY's, with the reader's language (ctx.t). */
export type BotContext = TranslatedContext;

/** What the handlers work with, besides grammY's context. */
export interface BotDeps {
  /** Answers questions and knows the articles: the bot's one way to the index. */
  service: AnswerService;
  buttons: ButtonStore;
  logger: Logger;
  /** Quotes per answer (and per "more" page). */
  answerCount: number;
}

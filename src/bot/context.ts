import type { ArchiveService } from '../answering/archive.js';
import type { AnswerService } from '../answering/service.js';
import type { TranslatedContext } from '../i18n/i18n.js';
import type { IngestSummary } from '../ingest/ingest.js';
import type { ArticleStore } from '../ingest/store.js';
import type { Logger } from '../log.js';
import type { ButtonStore } from './state/button-store.js';
import type { ConversationStore } from './state/conversations.js';

/** The context of every update: grammY's, with the reader's language (ctx.t). */
export type BotContext = TranslatedContext;

/** What the handlers work with, besides grammY's context. */
export interface BotDeps {
  /** Answers questions and knows the articles: the bot's one way to the index. */
  service: AnswerService;
  buttons: ButtonStore;
  /** Each chat's last question, for follow-ups. */
  conversations: ConversationStore;
  logger: Logger;
  /** Quotes per answer (and per "more" page). */
  answerCount: number;
  /** Telegram user ids that may change the archive (ADMIN_USER_IDS). Default: nobody. */
  admins?: ReadonlySet<number>;
  /** Adds and removes articles and rebuilds the index; without it every editor command is refused. */
  archive?: ArchiveService;
  /** Reads addresses from the web into the corpus (src/ingest); with `archive`, editors may send links. */
  fromWeb?: (urls: string[], store: ArticleStore) => Promise<IngestSummary>;
}

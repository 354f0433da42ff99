import type { Logger } from '../log.js';
import type { BotContext } from './context.js';

/** Telegram allows a message only so many edits: progress is shown at most this often. */
export const PROGRESS_EDIT_INTERVAL_MS = 2000;

/**
 * One message that follows a long job: sent once, then edited, at most every
 * PROGRESS_EDIT_INTERVAL_MS while the job reports, and always at the end.
 * Edits go out one after another; one that fails is logged, never fatal.
 */
export class ProgressMessage {
  private shown: string;
  private lastEdit = Date.now();
  private editing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly ctx: BotContext,
    private readonly logger: Logger,
    private readonly chatId: number,
    private readonly messageId: number,
    text: string,
    private readonly intervalMs: number,
  ) {
    this.shown = text;
  }

  static async send(
    ctx: BotContext,
    logger: Logger,
    text: string,
    intervalMs = PROGRESS_EDIT_INTERVAL_MS,
  ): Promise<ProgressMessage> {
    const message = await ctx.reply(text);
    return new ProgressMessage(ctx, logger, message.chat.id, message.message_id, text, intervalMs);
  }

  /** Progress: shown unless the last edit was less than the interval ago (a later one shows the latest). */
  update(text: string): void {
    if (text !== this.shown && Date.now() - this.lastEdit >= this.intervalMs) this.set(text);
  }

  /** A new stage: shown now. */
  set(text: string): void {
    if (text === this.shown) return;
    this.shown = text;
    this.lastEdit = Date.now();
    this.editing = this.editing.then(() =>
      this.ctx.api.editMessageText(this.chatId, this.messageId, text).then(
        () => undefined,
        (error: Error) => this.logger.warn({ err: error.message }, 'progress message not edited'),
      ),
    );
  }

  /** The last word: shown, and resolved once every edit went out. */
  async finish(text: string): Promise<void> {
    this.set(text);
    await this.editing;
  }
}

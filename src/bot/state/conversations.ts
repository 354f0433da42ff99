import type { StorageAdapter } from 'grammy';

/** What a chat asked last: the subject its next question may lean on. */
export interface LastQuestion {
  /** The question as it was answered (a follow-up already rewritten), so that a chain keeps its subject. */
  question: string;
  /** The articles its quotes came from (none when nothing was found). */
  articleIds: string[];
}

/** How long a chat's last question is remembered: a question after a longer pause starts afresh. */
export const CONVERSATION_TTL_MS = 30 * 60 * 1000;

/**
 * Each chat's last question, in the bot's store (entries expire after
 * CONVERSATION_TTL_MS), so follow-ups work across restarts and on any replica.
 */
export class ConversationStore {
  constructor(private readonly storage: StorageAdapter<LastQuestion>) {}

  async last(chatId: number): Promise<LastQuestion | undefined> {
    return (await this.storage.read(String(chatId))) ?? undefined;
  }

  async remember(chatId: number, last: LastQuestion): Promise<void> {
    await this.storage.write(String(chatId), last);
  }

  /** /new: the next question stands alone. */
  async forget(chatId: number): Promise<void> {
    await this.storage.delete(String(chatId));
  }
}

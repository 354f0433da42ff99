import { randomBytes } from 'node:crypto';
import type { StorageAdapter } from 'grammy';

/** What an inline button needs to do its job, later and on any replica. */
export type ButtonPayload =
  | { kind: 'more'; question: string; offset: number }
  | { kind: 'context'; articleId: string; sentences: string[] };

/** A payload and the chat its button was sent to: a button works only there. */
interface StoredButton {
  chatId: number;
  payload: ButtonPayload;
}

/** How long a button keeps working (entries expire in the store). */
export const BUTTON_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Keeps button payloads in the bot's store under short random ids, since
 * Telegram's callback data holds only 64 bytes. Each payload is bound to the
 * chat it was sent to: an id that leaks elsewhere finds nothing.
 */
export class ButtonStore {
  constructor(private readonly storage: StorageAdapter<StoredButton>) {}

  /** Stores payloads for buttons sent to `chatId` and returns their ids (8 characters each). */
  async put(chatId: number, payloads: ButtonPayload[]): Promise<string[]> {
    const ids = payloads.map(() => randomBytes(6).toString('base64url'));
    await Promise.all(payloads.map((payload, i) => this.storage.write(ids[i], { chatId, payload })));
    return ids;
  }

  /** The payload of a button pressed in `chatId`, or undefined if it expired or belongs to another chat. */
  async get(id: string, chatId: number): Promise<ButtonPayload | undefined> {
    const stored = await this.storage.read(id);
    return stored?.chatId === chatId ? stored.payload : undefined;
  }
}

export type { StoredButton };

/** Callback data of a button: a prefix and the payload's id (well under Telegram's 64 bytes). */
const BUTTON_DATA = /^b:([A-Za-z0-9_-]{1,16})$/;

export function buttonData(id: string): string {
  return `b:${id}`;
}

/** The payload id in a button's callback data, if it is one of ours. */
export function buttonId(data: string): string | undefined {
  return BUTTON_DATA.exec(data)?.[1];
}

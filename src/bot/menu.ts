import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { DEFAULT_LOCALE, t, UI_LOCALES } from '../i18n/i18n.js';
import { type Logger, redactSecrets } from '../log.js';
import { EDITOR_COMMANDS } from './handlers/admin.js';

/** The commands everyone sees in Telegram's menu. */
export const PUBLIC_COMMANDS = ['start', 'help', 'sources', 'ask', 'new'] as const;

function menu(locale: string, names: readonly string[]): BotCommand[] {
  return names.map((command) => ({ command, description: t(locale, `command-${command}`) }));
}

/**
 * Telegram's command menu, set at start: in Arabic for everyone, in English
 * for users whose Telegram is in English. Editors (ADMIN_USER_IDS) get their
 * own commands too, in their private chats with the bot. A menu that cannot
 * be set (an editor who never opened the bot: "chat not found") is logged;
 * the bot runs without it.
 */
export async function setCommandMenu(api: Api, logger: Logger, admins: ReadonlySet<number> = new Set()): Promise<void> {
  for (const locale of UI_LOCALES) {
    const language = locale === DEFAULT_LOCALE ? {} : { language_code: locale };
    try {
      await api.setMyCommands(menu(locale, PUBLIC_COMMANDS), language);
    } catch (error) {
      logger.warn({ err: redactSecrets(error), locale }, 'command menu not set');
    }
    for (const chatId of admins) {
      try {
        await api.setMyCommands(menu(locale, [...PUBLIC_COMMANDS, ...EDITOR_COMMANDS]), {
          scope: { type: 'chat', chat_id: chatId },
          ...language,
        });
      } catch (error) {
        logger.warn({ err: redactSecrets(error), locale, userId: chatId }, 'editor command menu not set');
      }
    }
  }
}

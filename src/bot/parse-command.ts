/** A command in a message: "/ask@my_bot question" → { name: "ask", args: "question" }. */
export interface ParsedCommand {
  name: string;
  args: string;
}

/**
 * Reads a command from message text whether or not Telegram marked it with a
 * bot_command entity. A command addressed to another bot (/start@other_bot)
 * is not ours.
 */
export function parseCommand(text: string, botUsername: string): ParsedCommand | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, name, target, args = ''] = match;
  if (target && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: name.toLowerCase(), args: args.trim() };
}

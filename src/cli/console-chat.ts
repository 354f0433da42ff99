import { createInterface } from 'node:readline/promises';
import { resolveFollowUp } from '../answering/follow-up.js';
import type { AnswerService } from '../answering/service.js';
import { CONVERSATION_TTL_MS } from '../bot/state/conversations.js';
import { DEFAULT_LOCALE, t } from '../i18n/i18n.js';
import { formatAnswerText } from './format-text.js';

/**
 * The same answers as the bot, in the terminal: for trying the bot without a
 * token. Follow-ups lean on the last question answered, for as long as the
 * bot keeps it, and the reply says how one was understood; /new forgets it.
 */
/** What the chat says first, and again after a command it does not know. */
export const PROMPT = 'اكتب سؤالك (/new لسؤال لا يرتبط بما قبله، /quit أو سطر فارغ أو Ctrl+D للخروج):';

/** The commands that end the chat, beside an empty line and the end of input. */
const QUIT = new Set(['/quit', '/exit']);

export async function consoleChat(
  service: AnswerService,
  count: number,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const rl = createInterface({ input, output, terminal: Boolean((input as NodeJS.ReadStream).isTTY) });
  output.write(`${PROMPT}\n`);
  let last: { question: string; at: number } | undefined;
  for await (const line of rl) {
    const typed = line.trim();
    if (!typed || QUIT.has(typed)) break;
    if (typed === '/new') {
      last = undefined;
      output.write(`\n${t(DEFAULT_LOCALE, 'new-conversation')}\n`);
      continue;
    }
    // Any other command is a slip, not a question: searching the archive for "/help" helps no one.
    if (/^\/[A-Za-z]+$/.test(typed)) {
      output.write(`\n${PROMPT}\n`);
      continue;
    }
    const previous = last && Date.now() - last.at < CONVERSATION_TTL_MS ? last.question : undefined;
    const question = resolveFollowUp(typed, previous);
    const answer = await service.ask(question, { count });
    if (!answer.unsupportedLanguage) last = { question: answer.question, at: Date.now() };
    const understood =
      question === typed ? '' : `${t(DEFAULT_LOCALE, 'understood-as', { question: answer.question })}\n\n`;
    output.write(`\n${understood}${formatAnswerText(answer)}\n`);
  }
  rl.close();
}

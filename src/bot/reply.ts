import { InlineKeyboard, type Context } from 'grammy';
import type { Answer } from '../answering/answer.js';
import type { ButtonPayload } from './button-store.js';
import type { BotDeps } from './context.js';
import { packMessages, quoteHtml } from './html.js';
import { TEXTS } from './texts.js';

/** Shows "typing…" without waiting for it: a failure here must not cost the answer. */
export function showTyping(ctx: Context, deps: BotDeps): void {
  ctx.replyWithChatAction('typing').catch((error: Error) => deps.logger.debug({ err: error.message }, 'typing indicator failed'));
}

/** The buttons under an answer: each quote's context, and the next quotes. */
function answerKeyboard(answer: Answer, offset: number, deps: BotDeps): InlineKeyboard {
  const contexts: ButtonPayload[] = answer.answers.map((quote) => ({ kind: 'context', articleId: quote.articleId, sentences: quote.sentences }));
  // A full page may have a next one.
  const more: ButtonPayload[] =
    answer.answers.length >= deps.answerCount ? [{ kind: 'more', question: answer.question, offset: offset + answer.answers.length }] : [];
  const ids = deps.buttons.put(...contexts, ...more);
  const keyboard = new InlineKeyboard();
  contexts.forEach((_, i) => keyboard.text(TEXTS.context(offset + i + 1), `b:${ids[i]}`));
  if (more.length) keyboard.row().text(TEXTS.more, `b:${ids[contexts.length]}`);
  return keyboard;
}

/**
 * Sends an answer as Telegram HTML: each quote in a blockquote with its
 * source, split over several messages when long, buttons under the last.
 */
export async function sendAnswer(ctx: Context, deps: BotDeps, answer: Answer, offset = 0): Promise<void> {
  if (!answer.found) {
    await ctx.reply(TEXTS.notFound, replyTo(ctx));
    return;
  }
  const messages = packMessages(answer.answers.map((q) => quoteHtml(q, answer.question)));
  for (const [i, html] of messages.entries()) {
    const last = i === messages.length - 1;
    await ctx.reply(html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(i === 0 ? replyTo(ctx) : {}),
      ...(last ? { reply_markup: answerKeyboard(answer, offset, deps) } : {}),
    });
  }
}

/** In groups, answers thread under the question they answer. */
function replyTo(ctx: Context): { reply_parameters?: { message_id: number; allow_sending_without_reply: boolean } } {
  const id = ctx.message?.message_id;
  return id !== undefined && ctx.chat?.type !== 'private' ? { reply_parameters: { message_id: id, allow_sending_without_reply: true } } : {};
}

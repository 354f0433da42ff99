import { InlineKeyboard } from 'grammy';
import type { Answer } from '../answering/answerer.js';
import { unsupportedLanguageText } from '../i18n/i18n.js';
import { redactSecrets } from '../log.js';
import type { BotContext, BotDeps } from './context.js';
import { cutText, LINE_LIMIT, lineHtml, packMessages, quoteBlock } from './html.js';
import type { ButtonPayload } from './state/button-store.js';
import { buttonData } from './state/button-store.js';

/** Shows "typing…" without waiting for it: a failure here must not cost the answer. */
export function showTyping(ctx: BotContext, deps: BotDeps): void {
  ctx
    .replyWithChatAction('typing')
    .catch((error: Error) => deps.logger.debug({ err: error.message }, 'typing indicator failed'));
}

/**
 * The buttons under an answer: each quote's context, and the next quotes.
 * Without them (the store failed) the answer still goes out.
 */
async function answerKeyboard(
  ctx: BotContext,
  deps: BotDeps,
  answer: Answer,
  offset: number,
): Promise<InlineKeyboard | undefined> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return undefined;
  const contexts: ButtonPayload[] = answer.quotes.map((quote) => ({
    kind: 'context',
    articleId: quote.articleId,
    sentences: quote.sentences,
  }));
  // A full page may have a next one.
  const more: ButtonPayload[] =
    answer.quotes.length >= deps.answerCount
      ? [{ kind: 'more', question: answer.question, offset: offset + answer.quotes.length }]
      : [];
  let ids: string[];
  try {
    ids = await deps.buttons.put(chatId, [...contexts, ...more]);
  } catch (error) {
    deps.logger.error({ err: redactSecrets(error) }, 'button store failed: answer sent without buttons');
    return undefined;
  }
  const keyboard = new InlineKeyboard();
  for (const i of contexts.keys()) keyboard.text(ctx.t('context', { n: offset + i + 1 }), buttonData(ids[i]));
  if (more.length) keyboard.row().text(ctx.t('more'), buttonData(ids[contexts.length]));
  return keyboard;
}

/**
 * Sends an answer as Telegram HTML: each quote in a blockquote with its
 * source, split over several messages when long, buttons under the last.
 * `understoodAs`, for a follow-up, is the question that was answered: the
 * reply opens with it, so the reader sees what the bot made of it.
 */
export async function sendAnswer(
  ctx: BotContext,
  deps: BotDeps,
  answer: Answer,
  offset = 0,
  understoodAs?: string,
): Promise<void> {
  if (answer.unsupportedLanguage) {
    await ctx.reply(unsupportedLanguageText(answer.unsupportedLanguage, ctx.from?.language_code), replyTo(ctx));
    return;
  }
  const understood = understoodAs
    ? cutText(ctx.t('understood-as', { question: cutText(understoodAs, LINE_LIMIT) }), LINE_LIMIT)
    : undefined;
  if (!answer.found) {
    await ctx.reply(understood ? `${understood}\n\n${ctx.t('not-found')}` : ctx.t('not-found'), replyTo(ctx));
    return;
  }
  const blocks = answer.quotes.map((q) => quoteBlock(q, answer.question, ctx.t('also-in')));
  const messages = packMessages(understood ? [`<i>${lineHtml(understood)}</i>`, ...blocks] : blocks);
  const keyboard = await answerKeyboard(ctx, deps, answer, offset);
  for (const [i, html] of messages.entries()) {
    const last = i === messages.length - 1;
    await ctx.reply(html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(i === 0 ? replyTo(ctx) : {}),
      ...(last && keyboard ? { reply_markup: keyboard } : {}),
    });
  }
}

/** In groups, answers thread under the question they answer. */
export function replyTo(ctx: BotContext): {
  reply_parameters?: { message_id: number; allow_sending_without_reply: boolean };
} {
  const id = ctx.message?.message_id;
  return id !== undefined && ctx.chat?.type !== 'private'
    ? { reply_parameters: { message_id: id, allow_sending_without_reply: true } }
    : {};
}

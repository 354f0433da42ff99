import { Composer } from 'grammy';
import type { IndexedArticle } from '../../answering/service.js';
import type { BotContext, BotDeps } from '../context.js';
import { highlightUnits, lineHtml, packMessages, type QuoteBlock, sourceHtml } from '../html.js';
import { sendAnswer } from '../reply.js';
import { buttonId } from '../state/button-store.js';

/** Sentences shown either side of a quote by its «السياق» button. */
export const CONTEXT_RADIUS = 2;

/** «المزيد» and «السياق» buttons. */
export function buttons(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('callback_query:data', async (ctx) => {
    const id = buttonId(ctx.callbackQuery.data);
    const chatId = ctx.chat?.id;
    const payload = id && chatId !== undefined ? await deps.buttons.get(id, chatId) : undefined;
    if (!payload) return void (await ctx.answerCallbackQuery({ text: ctx.t('expired'), show_alert: true }));
    if (payload.kind === 'more') {
      const answer = await deps.service.ask(payload.question, { count: deps.answerCount, offset: payload.offset });
      if (!answer.found || answer.quotes.length === 0) {
        return void (await ctx.answerCallbackQuery({ text: ctx.t('no-more') }));
      }
      await ctx.answerCallbackQuery();
      return sendAnswer(ctx, deps, answer, payload.offset);
    }
    const article = await deps.service.article(payload.articleId);
    const block = article && contextBlock(article, payload.sentences, ctx.t('context-header'));
    if (!block) return void (await ctx.answerCallbackQuery({ text: ctx.t('context-gone'), show_alert: true }));
    await ctx.answerCallbackQuery();
    for (const message of packMessages([block])) await ctx.reply(message, { parse_mode: 'HTML' });
  });
  composer.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: ctx.t('expired') }));
  return composer;
}

/**
 * The quoted sentences with CONTEXT_RADIUS sentences either side, the quoted
 * ones in bold. The quote is found again by its sentences' text, so a button
 * still works after the index was rebuilt.
 */
function contextBlock(article: IndexedArticle, quoted: string[], header: string): QuoteBlock | undefined {
  const positions = quoted.map((text) => article.sentences.indexOf(text)).filter((p) => p >= 0);
  if (positions.length === 0) return undefined;
  const from = Math.max(0, Math.min(...positions) - CONTEXT_RADIUS);
  const to = Math.min(article.sentences.length - 1, Math.max(...positions) + CONTEXT_RADIUS);
  const body = article.sentences.slice(from, to + 1).flatMap((text, i) => {
    const units = highlightUnits(text, '').map((unit) => (positions.includes(from + i) ? `<b>${unit}</b>` : unit));
    return i === 0 ? units : [' ', ...units];
  });
  return { head: `${lineHtml(header)}\n`, body, tail: `\n— ${sourceHtml(article)}` };
}

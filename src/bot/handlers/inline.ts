import { Composer } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { sourceLine } from '../../answering/quotes.js';
import type { BotContext, BotDeps } from '../context.js';
import { cutText, fitQuote, quoteBlock, SOURCE_LIMIT } from '../html.js';

/** Quotes offered for "@bot question". */
export const INLINE_RESULTS = 5;
/** Queries shorter than this are not questions yet (the user is still typing). */
const MIN_QUERY_LENGTH = 3;
/** How long Telegram may reuse results: short for half-typed queries, longer for answers. */
const PARTIAL_QUERY_CACHE_SECONDS = 10;
const ANSWER_CACHE_SECONDS = 60;
/** Characters of a quote shown as a result's title. */
const TITLE_LENGTH = 90;

/** "@bot question" in any chat: the top quotes as results to send, each one message. */
export function inline(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('inline_query', async (ctx) => {
    const question = ctx.inlineQuery.query.trim();
    if (question.length < MIN_QUERY_LENGTH) {
      return void (await ctx.answerInlineQuery([], { cache_time: PARTIAL_QUERY_CACHE_SECONDS }));
    }
    const answer = await deps.service.ask(question, { count: INLINE_RESULTS });
    const results: InlineQueryResultArticle[] = answer.quotes.map((quote, i) => ({
      type: 'article',
      id: String(i),
      title: cutText(quote.text, TITLE_LENGTH),
      description: cutText(sourceLine(quote), SOURCE_LIMIT),
      input_message_content: {
        message_text: fitQuote(quoteBlock(quote, question, ctx.t('also-in'))),
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    }));
    await ctx.answerInlineQuery(results, { cache_time: ANSWER_CACHE_SECONDS });
  });
  return composer;
}

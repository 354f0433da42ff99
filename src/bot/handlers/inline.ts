import { Composer, type Context } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { sourceLine } from '../../answering/format-text.js';
import type { BotDeps } from '../context.js';
import { quoteHtml } from '../html.js';

/** "@bot question" in any chat: the top quotes as results to send. */
export function inline(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('inline_query', async (ctx) => {
    const question = ctx.inlineQuery.query.trim();
    if (question.length < 3) return void (await ctx.answerInlineQuery([], { cache_time: 10 }));
    const answer = await deps.answers.ask(question, { count: 5 });
    const results: InlineQueryResultArticle[] = answer.answers.map((quote, i) => ({
      type: 'article',
      id: String(i),
      title: quote.text.length > 90 ? `${quote.text.slice(0, 90)}…` : quote.text,
      description: sourceLine(quote),
      input_message_content: { message_text: quoteHtml(quote, question), parse_mode: 'HTML' },
    }));
    await ctx.answerInlineQuery(results, { cache_time: 60 });
  });
  return composer;
}

import { Composer, type Context } from 'grammy';
import type { BotDeps } from '../context.js';
import { escapeHtml, packMessages, sourceHtml } from '../html.js';
import { sendAnswer } from '../reply.js';
import { TEXTS } from '../texts.js';

/** "المزيد" and "السياق" buttons. */
export function buttons(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.callbackQuery(/^b:(.+)$/, async (ctx) => {
    const payload = deps.buttons.get(ctx.match[1]);
    if (!payload) return void (await ctx.answerCallbackQuery({ text: TEXTS.expired, show_alert: true }));
    if (payload.kind === 'more') {
      const answer = await deps.answers.ask(payload.question, { count: deps.answerCount, offset: payload.offset });
      if (!answer.found || answer.answers.length === 0) return void (await ctx.answerCallbackQuery({ text: TEXTS.noMore }));
      await ctx.answerCallbackQuery();
      return sendAnswer(ctx, deps, answer, payload.offset);
    }
    const html = contextHtml(deps, payload.articleId, payload.sentences);
    if (!html) return void (await ctx.answerCallbackQuery({ text: TEXTS.contextGone, show_alert: true }));
    await ctx.answerCallbackQuery();
    for (const message of packMessages([html])) await ctx.reply(message, { parse_mode: 'HTML' });
  });
  composer.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: TEXTS.expired }));
  return composer;
}

/** The quoted sentences with two sentences either side, the quoted ones in bold. */
function contextHtml(deps: BotDeps, articleId: string, quoted: string[]): string | undefined {
  const article = deps.answers.answerer.index.articles.find((a) => a.id === articleId);
  if (!article) return undefined;
  const positions = quoted.map((text) => article.sentences.findIndex((s) => s.text === text)).filter((p) => p >= 0);
  if (positions.length === 0) return undefined;
  const from = Math.max(0, Math.min(...positions) - 2);
  const to = Math.min(article.sentences.length - 1, Math.max(...positions) + 2);
  const body = article.sentences
    .slice(from, to + 1)
    .map((s, i) => (positions.includes(from + i) ? `<b>${escapeHtml(s.text)}</b>` : escapeHtml(s.text)))
    .join(' ');
  return `${escapeHtml(TEXTS.contextHeader)}\n<blockquote>${body}</blockquote>\n— ${sourceHtml(article)}`;
}

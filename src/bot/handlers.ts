import { Composer, type Context } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { sourceLine } from '../answering/format-text.js';
import { parseCommand } from './commands.js';
import type { BotDeps } from './context.js';
import { escapeHtml, packMessages, quoteHtml, sourceHtml } from './html.js';
import { sendAnswer, showTyping } from './reply.js';
import { TEXTS } from './texts.js';

/** Asks the question and replies with the quotes (or a kind not-found). */
async function answerQuestion(ctx: Context, deps: BotDeps, question: string): Promise<void> {
  showTyping(ctx, deps);
  const answer = await deps.answers.ask(question, { count: deps.answerCount });
  await sendAnswer(ctx, deps, answer);
}

/** /start, /help, /sources and /ask, with or without Telegram's command entities. */
export function commands(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text').filter(
    (ctx) => parseCommand(ctx.message.text, ctx.me.username) !== undefined,
    async (ctx) => {
      const command = parseCommand(ctx.message.text, ctx.me.username)!;
      switch (command.name) {
        case 'start':
          return void (await ctx.reply(TEXTS.welcome(ctx.from.first_name)));
        case 'help':
          return void (await ctx.reply(TEXTS.help));
        case 'sources':
          return sendSources(ctx, deps);
        case 'ask':
          if (!command.args) return void (await ctx.reply(TEXTS.emptyAsk));
          return answerQuestion(ctx, deps, command.args);
        default:
          if (ctx.chat.type === 'private') await ctx.reply(TEXTS.help);
      }
    },
  );
  return composer;
}

async function sendSources(ctx: Context, deps: BotDeps): Promise<void> {
  const { articles } = deps.answers.answerer.index;
  const lines = articles.map((a, i) => `${i + 1}. ${escapeHtml(sourceLine(a))}`);
  for (const html of packMessages([`<b>${escapeHtml(TEXTS.sourcesHeader(articles.length))}</b>`, ...lines])) {
    await ctx.reply(html.replace(/\n\n/g, '\n'), { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  }
}

/** The question in a text message, when the message is one the bot should answer. */
export function questionOf(ctx: Context): string | undefined {
  const message = ctx.message;
  if (!message?.text || message.text.startsWith('/')) return undefined;
  if (ctx.chat?.type === 'private') return message.text;
  // In groups: only when called by name or answered in a reply.
  const mention = new RegExp(`@${ctx.me.username}\\b`, 'gi');
  if (mention.test(message.text)) return message.text.replace(mention, ' ').trim() || undefined;
  if (message.reply_to_message?.from?.id === ctx.me.id) return message.text;
  return undefined;
}

/** Any other text: a question in private chats; in groups, only when addressed to the bot. */
export function questions(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text', async (ctx) => {
    const question = questionOf(ctx);
    if (question) await answerQuestion(ctx, deps, question);
  });
  // Stickers, photos, voice…: a one-line hint in private chats; silence in groups.
  composer.on('message', async (ctx) => {
    if (ctx.chat.type === 'private') await ctx.reply(TEXTS.nonText);
  });
  return composer;
}

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

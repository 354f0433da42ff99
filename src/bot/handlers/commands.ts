import { Composer, type Context } from 'grammy';
import { sourceLine } from '../../answering/format-text.js';
import { parseCommand } from '../parse-command.js';
import type { BotDeps } from '../context.js';
import { escapeHtml, packMessages } from '../html.js';
import { TEXTS } from '../texts.js';
import { answerQuestion } from './ask.js';

/** /start, /help, /sources and /ask, with or without Telegram's command entities. */
export function commands(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text', async (ctx, next) => {
    const command = parseCommand(ctx.message.text, ctx.me.username);
    if (!command) return next();
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
  });
  return composer;
}

async function sendSources(ctx: Context, deps: BotDeps): Promise<void> {
  const { articles } = deps.answers.answerer.index;
  const lines = articles.map((a, i) => `${i + 1}. ${escapeHtml(sourceLine(a))}`);
  for (const html of packMessages([`<b>${escapeHtml(TEXTS.sourcesHeader(articles.length))}</b>`, ...lines], { separator: '\n' })) {
    await ctx.reply(html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  }
}

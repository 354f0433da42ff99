import { Composer } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { escapeHtml, lineHtml, packMessages, sourceLineHtml } from '../html.js';
import { parseCommand } from '../parse-command.js';
import { answerQuestion } from './ask.js';

/** Articles read from the index per page while /sources is listed. */
const SOURCES_PAGE = 500;

/** /start, /help, /sources, /ask and /new, with or without Telegram's command entities. */
export function commands(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('message:text', async (ctx, next) => {
    const command = parseCommand(ctx.message.text, ctx.me.username);
    if (!command) return next();
    switch (command.name) {
      case 'start':
        return void (await ctx.reply(ctx.t('welcome', { name: ctx.from.first_name })));
      case 'help':
        return void (await ctx.reply(ctx.t('help')));
      case 'sources':
        return sendSources(ctx, deps);
      case 'ask':
        if (!command.args) return void (await ctx.reply(ctx.t('empty-ask')));
        return answerQuestion(ctx, deps, command.args);
      case 'new':
        await deps.conversations.forget(ctx.chat.id);
        return void (await ctx.reply(ctx.t('new-conversation')));
      default:
        if (ctx.chat.type === 'private') await ctx.reply(ctx.t('help'));
    }
  });
  return composer;
}

/**
 * Every article's source line, numbered, over as many messages as it takes;
 * titles link to the articles that have a URL. Editors also see each id (for /remove), newest first.
 */
async function sendSources(ctx: BotContext, deps: BotDeps): Promise<void> {
  const editor = deps.admins?.has(ctx.from?.id ?? Number.NaN) === true;
  const articles: Awaited<ReturnType<BotDeps['service']['articles']>>['items'] = [];
  let total = 0;
  for (let offset = 0; offset === 0 || offset < total; offset += SOURCES_PAGE) {
    const page = await deps.service.articles({ offset, limit: SOURCES_PAGE });
    total = page.total;
    articles.push(...page.items);
    if (page.items.length === 0) break;
  }
  // Editors see what came in first (from the feeds, from links): newest date first, undated last.
  if (editor) articles.sort((a, b) => (a.date === b.date ? 0 : !a.date ? 1 : !b.date ? -1 : a.date < b.date ? 1 : -1));
  const lines = articles.map(
    (a, i) => `${i + 1}. ${sourceLineHtml(a)}${editor ? ` <code>${escapeHtml(a.id)}</code>` : ''}`,
  );
  const header = `<b>${lineHtml(ctx.t('sources-header', { count: total }))}</b>`;
  for (const html of packMessages([header, ...lines], { separator: '\n' })) {
    await ctx.reply(html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  }
}

import { Composer } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { answerQuestion } from './ask.js';

/** The question in a text message, when the message is one the bot should answer. */
export function questionOf(ctx: BotContext): string | undefined {
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
export function questions(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('message:text', async (ctx) => {
    const question = questionOf(ctx);
    if (question) await answerQuestion(ctx, deps, question);
  });
  // Stickers, photos, voice…: a one-line hint in private chats; silence in groups.
  composer.on('message', async (ctx) => {
    if (ctx.chat.type === 'private') await ctx.reply(ctx.t('non-text'));
  });
  return composer;
}

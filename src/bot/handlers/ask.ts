import type { Answer } from '../../answering/answerer.js';
import { resolveFollowUp } from '../../answering/follow-up.js';
import { redactSecrets } from '../../log.js';
import type { BotContext, BotDeps } from '../context.js';
import { sendAnswer, showTyping } from '../reply.js';

/** The chat's last question; a store that fails costs the carry-over, never the answer. */
async function lastQuestion(deps: BotDeps, chatId: number | undefined): Promise<string | undefined> {
  if (chatId === undefined) return undefined;
  try {
    return (await deps.conversations.last(chatId))?.question;
  } catch (error) {
    deps.logger.error({ err: redactSecrets(error) }, 'conversation store failed: question read on its own');
    return undefined;
  }
}

/**
 * Asks the question and replies with the quotes (or a kind not-found). A
 * follow-up («ومتى حدث ذلك؟») is read with the chat's previous question, and
 * the reply says how it was understood; the question answered becomes the
 * one the next follow-up leans on.
 */
export async function answerQuestion(ctx: BotContext, deps: BotDeps, typed: string): Promise<void> {
  showTyping(ctx, deps);
  const chatId = ctx.chat?.id;
  const question = resolveFollowUp(typed, await lastQuestion(deps, chatId));
  const answer = await deps.service.ask(question, { count: deps.answerCount });
  // Remembered before the reply goes out, as the buttons are: once the reader has it, the store has it too.
  if (chatId !== undefined && !answer.unsupportedLanguage) await remember(deps, chatId, answer);
  await sendAnswer(ctx, deps, answer, 0, question === typed ? undefined : answer.question);
}

async function remember(deps: BotDeps, chatId: number, answer: Answer): Promise<void> {
  try {
    await deps.conversations.remember(chatId, {
      question: answer.question,
      articleIds: [...new Set(answer.quotes.map((q) => q.articleId))],
    });
  } catch (error) {
    deps.logger.error({ err: redactSecrets(error) }, 'conversation store failed: question not remembered');
  }
}

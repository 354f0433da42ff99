import type { BotContext, BotDeps } from '../context.js';
import { sendAnswer, showTyping } from '../reply.js';

/** Asks the question and replies with the quotes (or a kind not-found). */
export async function answerQuestion(ctx: BotContext, deps: BotDeps, question: string): Promise<void> {
  showTyping(ctx, deps);
  const answer = await deps.service.ask(question, { count: deps.answerCount });
  await sendAnswer(ctx, deps, answer);
}

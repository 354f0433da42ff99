import { describe, expect, it } from 'vitest';
import { resolveFollowUp } from '../../src/answering/follow-up.js';
import { escapeHtml, sourceHtml } from '../../src/bot/html.js';
import { readFollowUps } from '../../src/eval/follow-ups.js';
import { t } from '../../src/i18n/i18n.js';
import { FOLLOW_UPS } from '../helpers/paths.js';
import { seedBotForTests } from '../helpers/seed-bot.js';
import { assertTelegramHtml, botMessages, privateChat } from '../helpers/telegram.js';

const seeded = seedBotForTests();
let nextUser = 8000;

function chat() {
  const id = nextUser++;
  const client = privateChat(seeded.server, id, 'ليلى');
  return {
    ask: async (text: string) => {
      await client.sendMessage(client.makeMessage(text));
      const [reply] = await botMessages(client, 1);
      return reply;
    },
  };
}

/** What the bot must reply to `asked` when it answers `question`: the quotes of the service's own answer. */
async function expectAnswer(reply: { text: string }, question: string, understood: boolean): Promise<void> {
  const answer = await seeded.bot.service.ask(question, { count: 3 });
  const line = t('ar', 'understood-as', { question: answer.question });
  if (!answer.found) {
    expect(reply.text).toBe(understood ? `${line}\n\n${t('ar', 'not-found')}` : t('ar', 'not-found'));
    return;
  }
  assertTelegramHtml(reply.text);
  if (understood) expect(reply.text.startsWith(`<i>${escapeHtml(line)}</i>\n\n<blockquote>`)).toBe(true);
  else expect(reply.text.startsWith('<blockquote>')).toBe(true);
  expect(reply.text).toContain(sourceHtml(answer.quotes[0]));
}

describe('follow-up questions through the bot', () => {
  it('answers each follow-up of the fixture, asked in sequence in one chat, with the previous subject carried over', async () => {
    const pairs = (await readFollowUps(FOLLOW_UPS)).filter((p) => /[\u0600-\u06FF]/.test(p.followUp));
    const reader = chat();
    for (const pair of pairs) {
      await expectAnswer(await reader.ask(pair.previous), pair.previous, false);
      const resolved = resolveFollowUp(pair.followUp, pair.previous);
      await expectAnswer(await reader.ask(pair.followUp), resolved, resolved !== pair.followUp);
    }
  });

  it('forgets with /new: the next question is read on its own', async () => {
    const reader = chat();
    await reader.ask('ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    const forgot = await reader.ask('/new');
    expect(forgot.text).toBe(t('ar', 'new-conversation'));
    await expectAnswer(await reader.ask('ومتى قال ذلك؟'), 'ومتى قال ذلك؟', false);
  });

  it('remembers the last question across a restart (it lives in the bot’s store)', async () => {
    const reader = chat();
    await reader.ask('ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    await seeded.restart();
    await expectAnswer(await reader.ask('ومتى قال ذلك؟'), 'متى قال بيسكوف عن الوضع في أفغانستان؟', true);
  });

  it('keeps chats apart: a follow-up in another chat is read on its own', async () => {
    await chat().ask('ماذا قال بيسكوف عن الوضع في أفغانستان؟');
    await expectAnswer(await chat().ask('ومتى قال ذلك؟'), 'ومتى قال ذلك؟', false);
  });
});

import { createInterface } from 'node:readline/promises';
import type { AnswerService } from '../answering/service.js';
import { formatAnswerText } from './format-text.js';

/** The same answers as the bot, in the terminal: for trying the bot without a token. */
export async function consoleChat(
  service: AnswerService,
  count: number,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const rl = createInterface({ input, output, terminal: Boolean((input as NodeJS.ReadStream).isTTY) });
  output.write('اكتب سؤالك (سطر فارغ أو Ctrl+D للخروج):\n');
  for await (const line of rl) {
    const question = line.trim();
    if (!question) break;
    output.write(`\n${formatAnswerText(await service.ask(question, { count }))}\n`);
  }
  rl.close();
}

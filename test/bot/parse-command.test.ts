import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/parse-command.js';

describe('parseCommand', () => {
  it('reads a command and its arguments, with or without the bot’s name', () => {
    expect(parseCommand('/ask ما موقف روسيا؟', 'QaBot')).toEqual({ name: 'ask', args: 'ما موقف روسيا؟' });
    expect(parseCommand('/ask@QaBot سؤال', 'QaBot')).toEqual({ name: 'ask', args: 'سؤال' });
    expect(parseCommand('/ask@qabot سؤال', 'QaBot')).toEqual({ name: 'ask', args: 'سؤال' });
    expect(parseCommand('  /START  ', 'QaBot')).toEqual({ name: 'start', args: '' });
  });

  it('keeps line breaks inside the arguments', () => {
    expect(parseCommand('/add عنوان\nنص الخبر', 'QaBot')).toEqual({ name: 'add', args: 'عنوان\nنص الخبر' });
  });

  it('is not ours when addressed to another bot, or not a command at all', () => {
    expect(parseCommand('/ask@OtherBot سؤال', 'QaBot')).toBeUndefined();
    expect(parseCommand('ما هو /ask', 'QaBot')).toBeUndefined();
    expect(parseCommand('/', 'QaBot')).toBeUndefined();
    expect(parseCommand(`/${'a'.repeat(40)}`, 'QaBot')).toBeUndefined();
  });
});

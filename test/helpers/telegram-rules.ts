/**
 * What Telegram accepts, checked strictly: every reply the bot sends in the
 * tests goes through `outgoingProblems` (see startTestBot), so a reply that
 * Telegram would reject ("message is too long", "can't parse entities",
 * "BUTTON_DATA_INVALID") fails the test that made it.
 */

/** Telegram's HTML subset: tag → the attributes it may carry (and which are required). */
const TAGS: Record<string, { allowed: string[]; required?: string[] }> = {
  b: { allowed: [] },
  strong: { allowed: [] },
  i: { allowed: [] },
  em: { allowed: [] },
  u: { allowed: [] },
  ins: { allowed: [] },
  s: { allowed: [] },
  strike: { allowed: [] },
  del: { allowed: [] },
  'tg-spoiler': { allowed: [] },
  span: { allowed: ['class'], required: ['class'] },
  a: { allowed: ['href'], required: ['href'] },
  'tg-emoji': { allowed: ['emoji-id'], required: ['emoji-id'] },
  code: { allowed: ['class'] },
  pre: { allowed: [] },
  blockquote: { allowed: ['expandable'] },
};
const ENTITY = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i;
export const MESSAGE_LIMIT = 4096;
export const CALLBACK_DATA_LIMIT = 64;
const CALLBACK_ANSWER_LIMIT = 200;

/** Parses Telegram HTML as its parser does and returns the text it shows, or throws why it would be rejected. */
export function parseTelegramHtml(html: string): string {
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new Error(`unclosed "<" at ${i}`);
      const tag = html.slice(i + 1, end);
      const closing = tag.startsWith('/');
      const match = /^\/?([a-z-]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*$/i.exec(tag);
      if (!match) throw new Error(`malformed tag <${tag}> at ${i}`);
      const name = match[1].toLowerCase();
      const rule = TAGS[name];
      if (!rule) throw new Error(`tag <${name}> is not allowed`);
      if (closing) {
        if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${i}`);
      } else {
        const attributes = [...match[2].matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)].map((m) => [
          m[1].toLowerCase(),
          m[2] ?? '',
        ]);
        for (const [attribute, value] of attributes) {
          if (!rule.allowed.includes(attribute)) throw new Error(`attribute ${attribute} not allowed on <${name}>`);
          if (name === 'a' && !/^(https?:\/\/|tg:\/\/)/.test(value)) throw new Error(`bad href "${value}"`);
        }
        for (const attribute of rule.required ?? []) {
          if (!attributes.some(([a]) => a === attribute)) throw new Error(`<${name}> needs ${attribute}`);
        }
        if (stack.includes(name) && name !== 'span') throw new Error(`<${name}> nested in itself`);
        if (stack.includes('pre') || stack.includes('code')) throw new Error(`<${name}> inside <pre>/<code>`);
        stack.push(name);
      }
      i = end + 1;
    } else if (ch === '&') {
      const entity = ENTITY.exec(html.slice(i));
      if (!entity) throw new Error(`bare "&" at ${i}`);
      text +=
        entity[1] === 'lt'
          ? '<'
          : entity[1] === 'gt'
            ? '>'
            : entity[1] === 'amp'
              ? '&'
              : entity[1] === 'quot'
                ? '"'
                : '?';
      i += entity[0].length;
    } else if (ch === '>') {
      throw new Error(`bare ">" at ${i}`);
    } else {
      text += ch;
      i++;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return text;
}

/** Problems with one message's text as Telegram would see them. */
export function messageProblems(text: unknown, parseMode: unknown): string[] {
  if (typeof text !== 'string' || text.trim() === '') return ['message text is empty'];
  let shown = text;
  if (parseMode === 'HTML') {
    try {
      shown = parseTelegramHtml(text);
    } catch (error) {
      return [`can't parse entities: ${(error as Error).message} in ${text.slice(0, 200)}`];
    }
  }
  if (shown.trim() === '') return ['message text is empty after parsing'];
  return shown.length > MESSAGE_LIMIT ? [`message is too long: ${shown.length} > ${MESSAGE_LIMIT}`] : [];
}

type Keyboard = { inline_keyboard?: { text?: string; callback_data?: string }[][] };

/** Problems with a Bot API call the bot makes, as Telegram would reject it. */
export function outgoingProblems(method: string, payload: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (method === 'sendMessage' || method === 'editMessageText') {
    problems.push(...messageProblems(payload.text, payload.parse_mode));
  }
  for (const row of (payload.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []) {
    for (const button of row) {
      if (!button.text) problems.push('button without text');
      if (
        button.callback_data !== undefined &&
        !(
          Buffer.byteLength(button.callback_data) >= 1 && Buffer.byteLength(button.callback_data) <= CALLBACK_DATA_LIMIT
        )
      ) {
        problems.push(`callback data of ${Buffer.byteLength(button.callback_data)} bytes`);
      }
    }
  }
  if (method === 'answerInlineQuery') {
    const results = (payload.results ?? []) as {
      id: string;
      title?: string;
      input_message_content?: { message_text?: string; parse_mode?: string };
    }[];
    if (results.length > 50) problems.push(`${results.length} inline results`);
    for (const r of results) {
      if (Buffer.byteLength(r.id) > 64) problems.push('inline result id over 64 bytes');
      if (!r.title) problems.push('inline result without title');
      problems.push(...messageProblems(r.input_message_content?.message_text, r.input_message_content?.parse_mode));
    }
  }
  if (
    method === 'answerCallbackQuery' &&
    typeof payload.text === 'string' &&
    payload.text.length > CALLBACK_ANSWER_LIMIT
  ) {
    problems.push(`callback answer of ${payload.text.length} characters`);
  }
  return problems.map((p) => `${method}: ${p}`);
}

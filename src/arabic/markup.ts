/**
 * A question's text without the marks of Markdown or HTML a reader may type
 * or paste (`*روسيا*`, `_قضية_`, `[تايوان](http://x)`, `<b>…</b>`, `` `code` ``),
 * and without links: what language detection and analysis should see.
 * Letters are never removed, only marks and addresses.
 */
export function plainQuestion(text: string): string {
  return (
    text
      // [text](address) → text; <a href="…">text</a> → text (tags go below)
      .replace(/\[([^\]]*)\]\([^)\s]*\)/g, '$1')
      // HTML tags and comments: <b>, </a>, <a href="…">, <br/>, <!-- … -->
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/g, ' ')
      // the few entities people paste
      .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) =>
        name === 'amp'
          ? '&'
          : name === 'lt'
            ? '<'
            : name === 'gt'
              ? '>'
              : name === 'quot'
                ? '"'
                : name === '#39'
                  ? "'"
                  : ' ',
      )
      // addresses: http(s)://…, www.…, t.me/…
      .replace(/\b(?:https?:\/\/|www\.|t\.me\/)[^\s\p{Script=Arabic}؟،؛«»]+/giu, ' ') // up to Arabic (؟ ends it)
      // emphasis, code, strike-through and spoiler marks (Markdown, Telegram's MarkdownV2)
      .replace(/[*_~`|]+/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/ ([؟?!.,،؛:])/g, '$1') // a mark's space left before punctuation
      .trim()
  );
}

import type { Answer } from '../answering/answerer.js';
import { sourceLine } from '../answering/quotes.js';
import { DEFAULT_LOCALE, t, unsupportedLanguageText } from '../i18n/i18n.js';

/** An answer as a person reads it in a terminal: numbered quotes, each with its source. */
export function formatAnswerText(answer: Answer): string {
  if (answer.unsupportedLanguage) return `${unsupportedLanguageText(answer.unsupportedLanguage)}\n`;
  if (!answer.found) return `${t(DEFAULT_LOCALE, 'not-found-short')}\n`;
  const alsoIn = t(DEFAULT_LOCALE, 'also-in');
  return answer.quotes
    .map((quote, i) => {
      const also = quote.alsoIn.length ? `\n   ${alsoIn} ${quote.alsoIn.map(sourceLine).join('؛ ')}` : '';
      return `${i + 1}. «${quote.text}»\n   — ${sourceLine(quote)}${also}`;
    })
    .join('\n\n')
    .concat('\n');
}

/** The JSON shape of `npm run ask -- --json`: one object per question. */
export function answerJson(answer: Answer) {
  return {
    question: answer.question,
    found: answer.found,
    ...(answer.unsupportedLanguage
      ? {
          unsupportedLanguage: answer.unsupportedLanguage,
          message: unsupportedLanguageText(answer.unsupportedLanguage),
        }
      : {}),
    answers: answer.quotes.map((q) => ({
      text: q.text,
      articleId: q.articleId,
      title: q.title,
      outlet: q.outlet,
      date: q.date,
      ...(q.url ? { url: q.url } : {}),
      score: Number(q.score.toFixed(4)),
      ...(q.alsoIn.length ? { alsoIn: q.alsoIn } : {}),
    })),
  };
}

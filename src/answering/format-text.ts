import type { Answer } from './answer.js';
import type { QuoteSource } from './quotes.js';

export const NOT_FOUND_AR = 'لم أجد في المقالات ما يجيب عن هذا السؤال.';

/** "title — outlet · date", leaving out what the article does not say. */
export function sourceLine(source: Pick<QuoteSource, 'title' | 'outlet' | 'date'>): string {
  const where = [source.outlet, source.date].filter(Boolean).join(' · ');
  return where ? `${source.title} — ${where}` : source.title;
}

/** An answer as a person reads it in a terminal: numbered quotes, each with its source. */
export function formatAnswerText(answer: Answer): string {
  if (!answer.found) return `${NOT_FOUND_AR}\n`;
  return answer.answers
    .map((quote, i) => {
      const also = quote.alsoIn.length ? `\n   وورد أيضا في: ${quote.alsoIn.map(sourceLine).join('؛ ')}` : '';
      return `${i + 1}. «${quote.text}»\n   — ${sourceLine(quote)}${also}`;
    })
    .join('\n\n')
    .concat('\n');
}

/** The JSON shape of `npm run ask -- --json`. */
export function answerJson(answer: Answer) {
  return {
    question: answer.question,
    found: answer.found,
    answers: answer.answers.map((q) => ({
      text: q.text,
      articleId: q.articleId,
      title: q.title,
      outlet: q.outlet,
      date: q.date,
      score: Number(q.score.toFixed(4)),
      ...(q.alsoIn.length ? { alsoIn: q.alsoIn } : {}),
    })),
  };
}

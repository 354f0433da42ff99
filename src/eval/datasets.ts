import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFileError, readTextFile } from '../text-file.js';

/** A question and what counts as answering it. */
export interface EvalQuestion {
  id: string;
  question: string;
  /** Article ids an answer may come from (empty: any). */
  sources: string[];
  /** Answer strings; a quote must contain one (after Arabic normalization). */
  answers: string[];
  /** The articles do not answer it: the right reply is "not found". */
  noAnswer: boolean;
}

export interface EvalDataset {
  questions: EvalQuestion[];
  /** For SQuAD data: the articles to index, as front-matter Markdown files. */
  articles?: { id: string; markdown: string }[];
}

interface SeedFile {
  questions: { id: string; question: string; sources?: string[]; answers?: string[]; noAnswer?: boolean }[];
}

interface SquadFile {
  data: {
    title: string;
    paragraphs: { context: string; qas: { id: string; question: string; answers: { text: string }[] }[] }[];
  }[];
}

/** Reads our question format or SQuAD (detected by its `data` array). */
export async function readDataset(file: string): Promise<EvalDataset> {
  const what = 'the question set';
  let json: SeedFile | SquadFile;
  try {
    json = JSON.parse(await readTextFile(file, what));
  } catch (error) {
    if (error instanceof SyntaxError) throw new InputFileError(file, `it is not JSON (${error.message})`, what);
    throw error;
  }
  if (Array.isArray((json as SquadFile)?.data)) return fromSquad(json as SquadFile);
  const { questions } = json as Partial<SeedFile>;
  if (!Array.isArray(questions))
    throw new InputFileError(file, 'it has neither a "questions" array (our format) nor a "data" array (SQuAD)', what);
  return {
    questions: questions.map((q) => ({
      id: q.id,
      question: q.question,
      sources: q.sources ?? [],
      answers: q.answers ?? [],
      noAnswer: q.noAnswer === true,
    })),
  };
}

function yamlString(text: string): string {
  return JSON.stringify(text); // a JSON string is a valid YAML scalar
}

/** Each SQuAD article becomes one document; paragraphs repeated across entries are kept once. */
function fromSquad(squad: SquadFile): EvalDataset {
  const articles: { id: string; markdown: string }[] = [];
  const questions: EvalQuestion[] = [];
  squad.data.forEach((entry, n) => {
    const id = `squad-${String(n).padStart(4, '0')}`;
    const paragraphs: string[] = [];
    for (const p of entry.paragraphs) {
      const context = p.context.trim();
      const covered = paragraphs.findIndex((q) => context.includes(q) || q.includes(context));
      if (covered === -1) paragraphs.push(context);
      else if (context.length > paragraphs[covered].length) paragraphs[covered] = context;
      for (const qa of p.qas) {
        questions.push({
          id: qa.id,
          question: qa.question,
          sources: [id],
          answers: qa.answers.map((a) => a.text),
          noAnswer: qa.answers.length === 0,
        });
      }
    }
    articles.push({ id, markdown: `---\ntitle: ${yamlString(entry.title)}\n---\n${paragraphs.join('\n\n')}\n` });
  });
  return { questions, articles };
}

export async function writeArticles(dir: string, articles: { id: string; markdown: string }[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(articles.map((a) => writeFile(join(dir, `${a.id}.md`), a.markdown)));
}

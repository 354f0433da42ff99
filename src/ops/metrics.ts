import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client), served at /metrics. One
 * registry for the whole program: any part counts through `metrics` (an
 * engine its store errors, the webhook its refusals), and nothing here
 * depends on the rest of the program.
 */
export const registry = new Registry();

/** What the index gauges read at each scrape (set by whoever serves answers). */
export interface IndexFigures {
  version: string;
  model: string;
  articles: number;
  sentences: number;
}

let indexFigures: () => IndexFigures | undefined | Promise<IndexFigures | undefined> = () => undefined;

/** Where the index gauges read the live index from, at each scrape. */
export function reportIndex(figures: typeof indexFigures): void {
  indexFigures = figures;
}

new Gauge({
  name: 'qa_index_info',
  help: 'The index answering now: 1, labelled with its build and model',
  labelNames: ['version', 'model'] as const,
  registers: [registry],
  async collect() {
    const figures = await indexFigures();
    this.reset();
    if (figures) this.set({ version: figures.version, model: figures.model }, 1);
  },
});

new Gauge({
  name: 'qa_index_size',
  help: 'Articles and sentences in the index answering now',
  labelNames: ['of'] as const,
  registers: [registry],
  async collect() {
    const figures = await indexFigures();
    this.reset();
    if (!figures) return;
    this.set({ of: 'articles' }, figures.articles);
    this.set({ of: 'sentences' }, figures.sentences);
  },
});

export const metrics = {
  /** Every question answered, with quotes or not. */
  questionsAnswered: new Counter({
    name: 'qa_questions_answered_total',
    help: 'Questions answered (with quotes, or saying that the articles do not say)',
    registers: [registry],
  }),
  /** The questions of questionsAnswered that got "not found". */
  questionsNotFound: new Counter({
    name: 'qa_questions_not_found_total',
    help: 'Questions answered "not found" (nothing relevant enough, or a language the model cannot read)',
    registers: [registry],
  }),
  answerSeconds: new Histogram({
    name: 'qa_answer_duration_seconds',
    help: 'Time to answer a question (retrieval, rerank, quotes), in seconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
  /** Updates refused: at the webhook (secret, body, queue) or by the bot (rate limit, allowlist). */
  updatesRefused: new Counter({
    name: 'qa_updates_refused_total',
    help: 'Updates refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  /** Errors of the stores the bot depends on: "redis", "postgres", "lmdb". */
  storeErrors: new Counter({
    name: 'qa_store_errors_total',
    help: 'Errors talking to a store, by store',
    labelNames: ['store'] as const,
    registers: [registry],
  }),
};

/** Times one answer: call the returned function with whether quotes were found. */
export function timeAnswer(): (found: boolean) => void {
  const stop = metrics.answerSeconds.startTimer();
  return (found) => {
    stop();
    metrics.questionsAnswered.inc();
    if (!found) metrics.questionsNotFound.inc();
  };
}

let processMetrics = false;

/** Adds Node's own metrics (memory, CPU, event loop lag) once a server will serve them. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

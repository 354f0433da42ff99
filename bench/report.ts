// biome-ignore-all lint/suspicious/noExplicitAny: reads the untyped JSON that `npm run bench -- --json` writes
/**
 * node --import tsx bench/report.ts RESULTS.json [GRID.json]
 *
 * Prints the figures of `npm run bench -- --json` as the Markdown tables of BENCHMARKS.md.
 */
import { readFileSync } from 'node:fs';

type M = { median: number; min: number; max: number; runs: number };
const [file, gridFile] = process.argv.slice(2);
/** A results file: one JSON document, or the output of `npm run bench -- --json` (its last line). */
function readResults(path: string) {
  const text = readFileSync(path, 'utf8').trim();
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.slice(text.lastIndexOf('\n') + 1));
  }
}
const r = readResults(file);
const m = (x: M, unit = '') =>
  x.runs > 1 ? `${x.median}${unit} (${x.min}–${x.max}, n=${x.runs})` : `${x.median}${unit} (n=1)`;
const out: string[] = [];
const table = (head: string[], rows: (string | number)[][]) => {
  out.push(
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  );
};

out.push(
  `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}. ` +
    `Model: \`${r.model}\` (dimension ${r.dimension}). Run: ${r.date.slice(0, 16).replace('T', ' ')} UTC.`,
  '',
);

if (r.build) {
  out.push('### Index build (full, from scratch)', '');
  table(
    ['corpus', 'articles', 'chunks', 'passages embedded', 'seconds: median (range, runs)', 'chunks/s', 'passages/s'],
    r.build.map((b: any) => [
      b.corpus,
      b.articles,
      b.chunks,
      b.passages,
      m(b.seconds, ' s'),
      b.chunksPerSecond,
      b.passagesPerSecond,
    ]),
  );
}
if (r.batch) {
  out.push('### Embedding throughput by batch size (1,000 passages)', '');
  table(
    ['batch size', 'seconds', 'passages/s'],
    r.batch.map((b: any) => [b.batchSize, m(b.seconds, ' s'), b.passagesPerSecond]),
  );
}
if (r.incremental) {
  const i = r.incremental;
  out.push('### Incremental rebuild: one article changed among 1,000', '');
  table(
    ['full build', 'incremental rebuild', 'share of full'],
    [[m(i.fullSeconds, ' s'), m(i.incrementalSeconds, ' s'), `${(i.share * 100).toFixed(1)}%`]],
  );
}
if (r.answer) {
  const a = r.answer;
  out.push(`### Warm answers on the seed corpus (${a.questions} questions)`, '');
  table(
    ['stage', 'p50 ms', 'p95 ms', 'p99 ms'],
    [
      ['**total**', a.totalMs.p50, a.totalMs.p95, a.totalMs.p99],
      ...(a.cpuMs ? [['CPU time', a.cpuMs.p50, a.cpuMs.p95, a.cpuMs.p99]] : []),
      ...Object.entries(a.stagesMs).map(([k, v]: [string, any]) => [k, v.p50, v.p95, v.p99]),
    ],
  );
}
if (r.coldStart) {
  out.push('### Cold start: process start to first answer (`npm run ask`)', '');
  table(['seconds'], [[m(r.coldStart.seconds, ' s')]]);
}
const vectorRuns = [
  ...(r.vectors ?? []),
  ...(gridFile ? readResults(gridFile).vectors.filter((v: any) => v.m !== 16) : []),
];
for (const v of vectorRuns) {
  out.push(
    `### HNSW vs exact search: ${v.vectors.toLocaleString('en')} ${v.kind} unit vectors, dimension ${v.dimension}, M=${v.m}, efConstruction=${v.efConstruction}`,
    '',
  );
  out.push(
    `Build ${v.buildSeconds} s, memory +${v.memoryMiB} MiB (RSS), file ${v.fileMiB} MiB. Exact top-10 query p50: ` +
      `${v.exactQueryMsP50.hnswlibBruteForce} ms with hnswlib's C++ brute force, ${v.exactQueryMsP50.javascript} ms with a JavaScript scan.`,
    '',
  );
  table(
    ['ef', 'recall@10', 'query p50 ms', 'query p95 ms', 'speed-up vs C++ brute force', 'speed-up vs JS scan'],
    v.rows.map((row: any) => [
      row.ef,
      row.recallAt10,
      row.queryMsP50,
      row.queryMsP95,
      `${row.speedupVsBruteForce}×`,
      `${Math.round(v.exactQueryMsP50.javascript / row.queryMsP50)}×`,
    ]),
  );
}
if (r.bot) {
  out.push('### The bot through the Bot API emulator (each user asks 10 questions, one after another)', '');
  table(
    ['outgoing throttle', 'users at once', 'answers', 'answers/s', 'reply p50 ms', 'reply p95 ms'],
    r.bot.map((b: any) => [
      b.throttled ? "Telegram's limits" : 'off',
      b.users,
      b.answers,
      b.answersPerSecond,
      b.latencyMsP50,
      b.latencyMsP95,
    ]),
  );
}
if (r.state) {
  out.push('### The button store under 100 answers a second, filled to 5,000 entries (`--only state`)', '');
  table(
    ['store', 'put p50 ms', 'put p95 ms', 'event-loop delay p50 ms', 'p99 ms', 'max ms'],
    r.state.map((x: any) => [
      x.store,
      x.putMsP50,
      x.putMsP95,
      x.eventLoopDelayMsP50,
      x.eventLoopDelayMsP99,
      x.eventLoopDelayMsMax,
    ]),
  );
}
if (r.replicas) {
  out.push("### Webhook replicas sharing Redis, Telegram's limits on (`--only replicas`)", '');
  table(
    [
      'replicas',
      'users at once',
      'answers',
      'answers/s',
      'reply p50 ms',
      'reply p95 ms',
      'messages/s',
      'busiest second',
    ],
    r.replicas.map((x: any) => [
      x.replicas,
      x.users,
      x.answers,
      x.answersPerSecond,
      x.latencyMsP50,
      x.latencyMsP95,
      x.messagesPerSecond,
      x.busiestSecondMessages,
    ]),
  );
}
if (r.scale) {
  const sizes = r.scale.map((x: any) => x.articles.toLocaleString('en'));
  out.push('### The archive at scale: synthetic articles of recombined real sentences (`--only scale`)', '');
  const row = (label: string, f: (x: any) => string | number) => [label, ...r.scale.map(f)];
  const s1 = (x: number) => Math.round(x * 10) / 10;
  /** What an incremental build wrote: the whole build, or a delta with its passages added to the graphs at open (or written into them). */
  const writtenAs = (b: any) =>
    b.part !== 'delta'
      ? 'the whole build'
      : b.pending
        ? `a delta, graphs linked (${b.pending} passages added at open)`
        : 'a delta, graphs written';
  table(
    ['', ...sizes.map((n: string) => `${n} articles`)],
    [
      row(
        'passages (sentences + chunks)',
        (x) =>
          `${x.passages.toLocaleString('en')} (${x.sentences.toLocaleString('en')} + ${x.chunks.toLocaleString('en')})`,
      ),
      row('full build, process start to end', (x) => `${s1(x.fullBuild.wallSeconds)} s`),
      row('full build, peak RSS', (x) => `${x.fullBuild.maxRssMiB} MiB`),
      row(
        'second full build (+101 articles)',
        (x) => `${s1(x.fullBuildAfterAdds.wallSeconds)} s, ${x.fullBuildAfterAdds.maxRssMiB} MiB`,
      ),
      row('index on disk', (x) => `${x.disk.totalMiB} MiB`),
      row('cold start (`npm run ask`, first answer)', (x) => m(x.coldStart.seconds, ' s')),
      row('cold start, peak RSS', (x) => `${x.coldStart.maxRssMiB} MiB`),
      row('index open in a running process', (x) => `${s1(x.serving.openSeconds)} s`),
      row(
        'RSS while serving (after the questions)',
        (x) => `${x.serving.memoryMiB.serving} MiB (peak ${x.serving.maxRssMiB})`,
      ),
      row(
        'warm answer p50 / p95 / p99',
        (x) => `${x.serving.warm.totalMs.p50} / ${x.serving.warm.totalMs.p95} / ${x.serving.warm.totalMs.p99} ms`,
      ),
      row(
        '1 article added (process start to end)',
        (x) => `${s1(x.addOne.wallSeconds)} s (build ${s1(x.addOne.buildSeconds)} s), ${x.addOne.maxRssMiB} MiB`,
      ),
      row('1 article, then 100: written as', (x) => `${writtenAs(x.addOne)}; ${writtenAs(x.addHundred)}`),
      row("the bot's reload after it (event loop blocked at most; from scratch)", (x) =>
        x.reloadAfterAddOne
          ? `${x.reloadAfterAddOne.reloadSeconds} s (${x.reloadAfterAddOne.reloadMaxBlockedMs} ms; ${x.reloadAfterAddOne.freshOpenSeconds} s)`
          : 'not measured',
      ),
      row(
        '100 articles added',
        (x) =>
          `${s1(x.addHundred.wallSeconds)} s (build ${s1(x.addHundred.buildSeconds)} s), ${x.addHundred.maxRssMiB} MiB`,
      ),
      row(
        'seed answers: incremental vs full build',
        (x) =>
          `${x.incrementalEqualsFull.questions - x.incrementalEqualsFull.differing} of ${x.incrementalEqualsFull.questions} identical`,
      ),
    ],
  );
  out.push("#### Where a build's time goes (seconds)", '');
  out.push(
    'Embedding runs on every core, and the two kinds of passage are indexed at the same time, each in its own thread, while the main thread writes the store: wall times, and in brackets the seconds each embedding step took summed over the cores.',
    '',
  );
  const builds = r.scale.flatMap((x: any) => [
    [`full, ${x.articles.toLocaleString('en')}`, x.fullBuild],
    [`+1 article, ${x.articles.toLocaleString('en')}`, x.addOne],
    [`+100 articles, ${x.articles.toLocaleString('en')}`, x.addHundred],
  ]);
  const p = (b: any) => b.phases;
  const split = (t: any) => `${s1(t.hnsw)} / ${s1(t.lexical)} / ${s1(t.write)}`;
  table(
    [
      'build',
      'read corpus (+ previous build)',
      'plan',
      'embed [tokenize / model / pool]',
      'index, wall',
      'sentences: HNSW / BM25 / write',
      'chunks: HNSW / BM25 / write',
      'store (in parallel)',
      'total',
    ],
    builds.map(([name, b]: [string, any]) => [
      name,
      s1(p(b).read),
      s1(p(b).plan),
      `${s1(p(b).embed)} [${s1(p(b).embedding?.tokenize ?? 0)} / ${s1(p(b).embedding?.model ?? 0)} / ${s1(p(b).embedding?.pool ?? 0)}]`,
      s1(p(b).index),
      split(p(b).sentences),
      split(p(b).chunks),
      s1(p(b).store),
      s1(b.buildSeconds),
    ]),
  );
  out.push('#### Index files (MiB)', '');
  const files = Object.keys(r.scale[r.scale.length - 1].disk.filesMiB);
  table(
    ['file', ...sizes],
    files.map((f) => [f, ...r.scale.map((x: any) => x.disk.filesMiB[f])]),
  );
  out.push('#### Warm answers by stage (p50 / p95 ms)', '');
  const stages = Object.keys(r.scale[0].serving.warm.stagesMs);
  table(
    ['stage', ...sizes],
    stages.map((st) => [
      st,
      ...r.scale.map((x: any) => `${x.serving.warm.stagesMs[st].p50} / ${x.serving.warm.stagesMs[st].p95}`),
    ]),
  );
}
if (r.postgres) {
  out.push('### The postgres engine beside the local one (`--postgres`, same corpus and run)', '');
  const name = (x: any) => (x.size ? `${x.size.toLocaleString('en')} synthetic` : 'seed');
  table(
    ['archive', 'build: postgres / local', 'database', 'warm p50 / p95: postgres', 'local', 'round trips a question'],
    r.postgres.map((x: any) => [
      `${name(x)} (${x.articles} articles, ${x.sentences} sentences)`,
      `${x.postgres.buildSeconds} / ${x.local.buildSeconds} s`,
      `${x.postgres.databaseMiB} MiB`,
      `${x.postgres.warmMs.p50} / ${x.postgres.warmMs.p95} ms`,
      `${x.local.warmMs.p50} / ${x.local.warmMs.p95} ms`,
      x.postgres.roundTripsPerQuestion,
    ]),
  );
}
process.stdout.write(out.join('\n'));

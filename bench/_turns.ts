import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import { benchInTurns } from './answering.js';

const url = process.argv[2];
const warm = Number(process.argv[3] ?? 0);
const embedder = await createEmbedder({
  model: BUILT_IN_MODEL,
  modelsDir: BUILT_IN_MODELS_DIR,
  allowRemoteModels: false,
  batchSize: 32,
});
for (let r = 0; r < 3; r++) {
  const local = await AnswerService.open({
    engine: LocalEngine.fromFolder('/work/pgcache/k10000-s11/embeddings'),
    embedder,
  });
  const engine = await PostgresEngine.connect(url);
  const pg = await AnswerService.open({ engine, embedder });
  if (warm) await (pg.index as any).warm(warm);
  const [p, l] = await benchInTurns([pg, local]);
  console.log(
    `pg ${p.totalMs.p50.toFixed(1)} ${p.totalMs.p95.toFixed(1)}  local ${l.totalMs.p50.toFixed(1)} ${l.totalMs.p95.toFixed(1)}  ratio ${(p.totalMs.p95 / l.totalMs.p95).toFixed(2)}`,
  );
  pg.close();
  local.close();
  await engine.close();
}

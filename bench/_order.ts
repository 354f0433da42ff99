import { AnswerService } from '../src/answering/service.js';
import { createEmbedder } from '../src/embedding/embedder.js';
import { BUILT_IN_MODEL, BUILT_IN_MODELS_DIR } from '../src/embedding/models.js';
import { LocalEngine } from '../src/search/local/engine.js';
import { PostgresEngine } from '../src/search/postgres/engine.js';
import { benchWarm } from './answering.js';

const url = process.argv[2];
const order = process.argv[3];
const embedder = await createEmbedder({
  model: BUILT_IN_MODEL,
  modelsDir: BUILT_IN_MODELS_DIR,
  allowRemoteModels: false,
  batchSize: 32,
});
for (const which of order) {
  if (which === 'o') {
    const local = LocalEngine.fromFolder('/work/pgcache/k10000-s11/embeddings');
    const s = await AnswerService.open({ engine: local, embedder });
    console.log('opened local');
    s.close();
  } else if (which === 'g') {
    (globalThis as any).gc?.();
    console.log('gc');
  } else if (which === 'l') {
    const local = LocalEngine.fromFolder('/work/pgcache/k10000-s11/embeddings');
    const s = await AnswerService.open({ engine: local, embedder });
    const w = await benchWarm(s);
    console.log('local', w.totalMs.p50.toFixed(1), w.totalMs.p95.toFixed(1));
    s.close();
  } else {
    const engine = await PostgresEngine.connect(url);
    const s = await AnswerService.open({ engine, embedder });
    if (which === 'w') await (s.index as any).warm(1_000_000);
    const w = await benchWarm(s);
    console.log(which === 'w' ? 'pg+warm' : 'pg', w.totalMs.p50.toFixed(1), w.totalMs.p95.toFixed(1));
    s.close();
    await engine.close();
  }
}

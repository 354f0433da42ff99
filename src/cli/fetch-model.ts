/**
 * npm run fetch-model [-- MODEL]
 *
 * Downloads a model into MODELS_DIR ahead of time, for a machine that will
 * run offline (copy MODELS_DIR there and set EMBEDDING_MODEL).
 */
import { loadConfig } from '../config.js';
import { findModel } from '../embedding/models.js';
import { command } from './command.js';
import { runCli } from './run.js';
import { openEmbedder } from './setup.js';

const program = command('fetch-model', 'Download an embedding model into MODELS_DIR (default: EMBEDDING_MODEL).')
  .argument('[model]', 'a transformers.js feature-extraction model, e.g. Xenova/multilingual-e5-small')
  .parse();

runCli(async () => {
  const loaded = loadConfig();
  const config = { ...loaded, embedding: { ...loaded.embedding, allowRemoteModels: true } };
  const model = program.args[0] ?? config.embedding.model;
  const already = findModel(model, config.embedding.modelsDir);
  const embedder = await openEmbedder(config, model);
  const where = findModel(model, config.embedding.modelsDir) ?? config.embedding.modelsDir;
  process.stdout.write(
    `${already ? 'Already here' : 'Downloaded'}: ${model} (${embedder.dimension} dimensions) in ${where}/${model}\n` +
      `Use it with EMBEDDING_MODEL=${model}, then npm run index.\n`,
  );
});

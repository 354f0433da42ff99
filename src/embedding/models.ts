import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The model that ships with the project (models/arabic-news-static-256: Arabic
 * news, static, 256 dimensions, Apache-2.0; see its model card). It is the
 * default, found without any setting and without the network.
 */
export const BUILT_IN_MODEL = 'arabic-news-static-256';

/** The project's own models folder, wherever the process runs from. */
export const BUILT_IN_MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));

/** The hub a model is downloaded from unless MODEL_HUB_URL names another. */
export const DEFAULT_HUB_URL = 'https://huggingface.co/';

/** What the model's own files say about it. */
export interface ModelCard {
  /**
   * Languages whose text the model maps into one space (config.json
   * `languages`, ISO 639-1). Undefined when the model does not say: it is
   * then trusted with any language.
   */
  languages?: string[];
  /** Prefixes the model was trained with ("query: " / "passage: " for e5). */
  prefixes: { query: string; passage: string };
  /**
   * A static model (config.json `static_embedding`, as the built-in one): a
   * token's vector is a row of a table, whatever its neighbours, so tokens
   * can be looked up on their own (see Embedder.tokens).
   */
  static?: boolean;
}

/** The folders a model is looked for in, in order: MODELS_DIR, then the project's own models. */
export function modelFolders(modelsDir: string): string[] {
  return [...new Set([modelsDir, BUILT_IN_MODELS_DIR])];
}

/** The models folder that holds `model` (its `config.json`), if any. */
export function findModel(model: string, modelsDir: string): string | undefined {
  return modelFolders(modelsDir).find((dir) => existsSync(join(dir, model, 'config.json')));
}

/**
 * e5 models were trained with "query: " and "passage: " prefixes and rank
 * worse without them. Their transformers.js ports do not say so in their
 * files, so the id is the only sign.
 */
const E5_ID = /(^|[/_-])e5([_-]|$)/i;

/** Whether a model id names an e5 model (Xenova/multilingual-e5-small, intfloat/e5-base-v2, …). */
export function isE5(model: string): boolean {
  return E5_ID.test(model);
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Reads a model's card from its folder: `config.json` (`languages`) and, for
 * sentence-transformers models, `config_sentence_transformers.json`
 * (`prompts`).
 */
export function readModelCard(model: string, folder: string): ModelCard {
  const config = readJson(join(folder, model, 'config.json')) ?? {};
  const prompts = readJson(join(folder, model, 'config_sentence_transformers.json'))?.prompts as
    | { query?: string; passage?: string; document?: string }
    | undefined;
  const e5 = isE5(model);
  const languages = Array.isArray(config.languages) ? config.languages.map(String) : undefined;
  return {
    ...(languages ? { languages } : {}),
    ...(config.static_embedding ? { static: true } : {}),
    prefixes: {
      query: prompts?.query ?? (e5 ? 'query: ' : ''),
      passage: prompts?.passage ?? prompts?.document ?? (e5 ? 'passage: ' : ''),
    },
  };
}

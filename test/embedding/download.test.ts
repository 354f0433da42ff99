import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, type DownloadProgress, ModelNotFoundError } from '../../src/embedding/embedder.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { TINY_MODEL, TINY_MODELS_DIR } from '../helpers/paths.js';
import { freePort } from '../helpers/telegram.js';

/** A model hub on loopback (Hugging Face's URL layout: /{model}/resolve/{revision}/{file}) serving the tiny model as "example/tiny-hub". */
let hub: Server;
let hubUrl: string;
const HUB_MODEL = 'example/tiny-hub';
const requests: string[] = [];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

beforeAll(async () => {
  const root = join(TINY_MODELS_DIR, TINY_MODEL);
  const served = new Map(files(root).map((path) => [`/${HUB_MODEL}/resolve/main/${relative(root, path)}`, path]));
  hub = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = served.get(decodeURIComponent(req.url ?? ''));
    if (!path) return void res.writeHead(404).end();
    const body = readFileSync(path);
    res.writeHead(200, { 'content-length': String(body.length) }).end(body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => hub.listen(port, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${port}/`;
});

afterAll(() => {
  hub.close();
});

describe('a model that is not on disk', () => {
  it('is downloaded once into MODELS_DIR, with progress, and then loads offline', async () => {
    const modelsDir = tempDir('download');
    const progress: DownloadProgress[] = [];
    const embedder = await createEmbedder({
      model: HUB_MODEL,
      modelsDir,
      allowRemoteModels: true,
      hubUrl,
      batchSize: 8,
      onDownload: (p) => progress.push(p),
    });
    expect(embedder.dimension).toBe(48);
    expect(progress.some((p) => p.file.endsWith('.onnx') && p.total > 0 && p.loaded === p.total)).toBe(true);
    expect(files(join(modelsDir, HUB_MODEL)).map((f) => relative(join(modelsDir, HUB_MODEL), f))).toContain(
      'onnx/model_quantized.onnx',
    );

    const downloads = requests.length;
    const offline = await createEmbedder({ model: HUB_MODEL, modelsDir, allowRemoteModels: false, batchSize: 8 });
    expect(requests.length).toBe(downloads);
    const [a] = await embedder.embedPassages(['الصين وروسيا']);
    const [b] = await offline.embedPassages(['الصين وروسيا']);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('`npm run fetch-model` fetches it ahead of time, and says so when it is already there', async () => {
    const modelsDir = tempDir('fetch');
    const env = tinyModelEnv({ MODELS_DIR: modelsDir, MODEL_HUB_URL: hubUrl, ALLOW_REMOTE_MODELS: 'false' });
    const first = await runCli('fetch-model', [HUB_MODEL], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Downloaded: example\/tiny-hub \(48 dimensions\)/);
    const second = await runCli('fetch-model', [HUB_MODEL], env);
    expect(second.stdout).toMatch(/^Already here: example\/tiny-hub/);
  });

  it('cannot be had from an unreachable hub: one line that says where it looked and how to fall back', async () => {
    const attempt = createEmbedder({
      model: 'example/absent',
      modelsDir: tempDir('absent'),
      allowRemoteModels: true,
      hubUrl: `http://127.0.0.1:${await freePort()}/`,
      batchSize: 8,
    });
    await expect(attempt).rejects.toThrow(ModelNotFoundError);
    const message = await attempt.then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toMatch(/is not in .*example\/absent .* and the download failed/);
    expect(message).toContain('npm run fetch-model -- example/absent');
    expect(message).toContain('EMBEDDING_MODEL=arabic-news-static-256');
    expect(message.split('\n')).toHaveLength(1);
  });
});

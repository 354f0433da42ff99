import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running `module`. The project runs as TypeScript
 * through tsx, whose loader a worker does not inherit on Node 20: a `.ts`
 * module is started through a line that registers tsx first.
 */
export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** Resolves when the worker ends normally; rejects with its error, or when it exits with another code. */
export function finished(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`worker thread exited with code ${code}`)),
    );
  });
}

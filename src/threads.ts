import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/**
 * Starts `module` in a child process of its own (TypeScript through tsx),
 * for native libraries that are not safe in worker threads: onnxruntime-node
 * crashes now and then when a worker that used it ends ("free(): invalid next
 * size" as the worker's isolate is torn down), taking the whole process with it.
 */
export function startProcess(module: URL): ChildProcess {
  const typescript = module.pathname.endsWith('.ts');
  return fork(fileURLToPath(module), [], {
    execArgv: typescript ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves when the child process has ended with code 0 (and its messages are in); rejects otherwise. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`child process exited with ${signal ?? `code ${code}`}`)),
    );
  });
}

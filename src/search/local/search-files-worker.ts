/** A worker thread that runs writeSearchFiles for one kind of passage (see write.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type SearchFilesJob, writeSearchFiles } from './search-files.js';

const job = workerData as Omit<SearchFilesJob, 'table'> & { table: SharedArrayBuffer };
parentPort?.postMessage(await writeSearchFiles({ ...job, table: new Float32Array(job.table) }));

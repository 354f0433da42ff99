import cliProgress from 'cli-progress';
import type { DownloadProgress } from '../embedding/embedder.js';

/** A progress bar on standard error, when it is a terminal; nothing otherwise (logs, CI). */
export function progressBar(format: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (total === 0) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

/** Progress of a model download: one bar per file, as transformers.js reports them. */
export function downloadProgress(): { onDownload(p: DownloadProgress): void; stop(): void } {
  const bars = new Map<string, ReturnType<typeof progressBar>>();
  return {
    onDownload({ file, loaded, total }) {
      let bar = bars.get(file);
      if (!bar) {
        process.stderr.write(`Downloading ${file}…\n`);
        bar = progressBar(`${file} [{bar}] {percentage}% | {value}/{total} bytes`);
        bars.set(file, bar);
      }
      bar.update(loaded, total);
      if (total > 0 && loaded >= total) bar.stop();
    },
    stop: () => {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

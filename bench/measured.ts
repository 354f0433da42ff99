/**
 * node --import tsx bench/measured.ts OUT.json SCRIPT [ARGS…]
 *
 * Runs a script (a CLI entry point) as this process and, when it exits,
 * writes its peak resident set size to OUT.json: process.resourceUsage()
 * .maxRSS, the kernel's high-water mark for the whole process, worker
 * threads included (the figure `/usr/bin/time -v` reports).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => {
  writeFileSync(out, JSON.stringify({ maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
});
await import(pathToFileURL(resolve(script)).href);

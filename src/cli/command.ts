import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** The program's version, from package.json (two folders up from src/cli/ and from dist/cli/ alike). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** A command-line command with the options every command has: --help and --version. */
export function command(name: string, description: string): Command {
  return new Command(name).description(description).version(VERSION, '-V, --version', 'print the version and exit');
}

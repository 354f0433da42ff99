#!/usr/bin/env node
/**
 * The program's one entry point: `arabic-news-qa COMMAND [options]` (npx from a
 * checkout, or npm start / npm run index / …). Runs the compiled JavaScript in
 * dist/, compiling src/ first when dist/ is missing or older than it.
 */
import { pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from './build.js';

/** Each command and the module of dist/cli/ that runs it. */
const COMMANDS = {
  start: 'start',
  index: 'index-corpus',
  ask: 'ask',
  eval: 'eval',
  ingest: 'ingest',
  'fetch-model': 'fetch-model',
};

const command = process.argv[2];
if (!command || command === '--help' || command === '-h' || !(command in COMMANDS)) {
  const known = Object.keys(COMMANDS).join(', ');
  const wrong = command && !command.startsWith('-') ? `Unknown command "${command}". ` : '';
  process.stderr.write(`${wrong}Usage: arabic-news-qa <command> [options], where command is one of: ${known}.\n`);
  process.stderr.write('Each command takes --help and --version.\n');
  process.exitCode = command && command !== '--help' && command !== '-h' ? 2 : 0;
} else {
  let built = false;
  try {
    ensureBuilt();
    built = true;
  } catch (error) {
    process.stderr.write(`Error: ${error.message}\n`);
    process.exitCode = 1;
  }
  if (built) {
    // The command's own parser reads process.argv from its third element on: drop the command name.
    process.argv.splice(2, 1);
    await import(pathToFileURL(`${DIST}/cli/${COMMANDS[command]}.js`).href);
  }
}

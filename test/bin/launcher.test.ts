import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliResult } from '../helpers/cli.js';
import { copyCorpus, tempDir, tinyModelEnv } from '../helpers/fixtures.js';
import { ROOT } from '../helpers/paths.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

/** The program as npm start / npm run … / npx run it: bin/arabic-news-qa.js, which runs dist/. */
function launch(args: string[], env: NodeJS.ProcessEnv = process.env, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/arabic-news-qa.js'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bin/arabic-news-qa.js (what npm start and the other commands run)', () => {
  it('runs the compiled program in dist/, compiling it first when it is older than src/, and answers', async () => {
    const dir = tempDir('launcher');
    const env = tinyModelEnv({ CORPUS_DIR: copyCorpus(), INDEX_DIR: join(dir, 'embeddings'), TELEGRAM_BOT_TOKEN: '' });
    const built = await launch(['index', '--json'], env);
    expect(built.stderr).not.toMatch(/Error/);
    expect(built.code).toBe(0);
    // dist/ is complete and newer than every source it was compiled from.
    const stamp = statSync(join(ROOT, 'dist/.built')).mtimeMs;
    expect(statSync(join(ROOT, 'src/cli/start.ts')).mtimeMs).toBeLessThanOrEqual(stamp);
    expect(existsSync(join(ROOT, 'dist/cli/ask.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/i18n/locales/ar.ftl'))).toBe(true);

    const asked = await launch(['ask', '--json', 'كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟'], env);
    expect(asked.code).toBe(0);
    expect(JSON.parse(asked.stdout.trim())).toMatchObject({ found: true });
    expect(asked.stdout).toContain('100 مليار دولار');
    // Compiling dist/ (tsc over src/) takes a minute or more on a busy 2-core machine.
  }, 300_000);

  it('gives --version and --help for every command, and names the commands when given a wrong one', async () => {
    for (const command of ['start', 'index', 'ask', 'eval', 'fetch-model']) {
      const version = await launch([command, '--version']);
      expect(version.stdout.trim(), command).toBe(VERSION);
      const help = await launch([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/^Usage: /);
    }
    const wrong = await launch(['serve']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Unknown command "serve"');
    expect(wrong.stderr).toContain('start, index, ask, eval');
  }, 180_000);
});

import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerService } from '../../src/answering/service.js';
import type { SearchEngine } from '../../src/search/engine.js';
import { buildIndex } from '../../src/search/local/build.js';
import { LocalEngine } from '../../src/search/local/engine.js';
import { currentBuildDir } from '../../src/search/local/location.js';
import { CHUNKING, indexedCopy, tinyEmbedder } from '../helpers/fixtures.js';

describe('AnswerService.reload', () => {
  for (const failing of [false, true])
    it(`opens a build published while it was opening another${failing ? ', even one that failed to open' : ''}, without waiting for the next one`, async () => {
      const { corpus, indexDir } = await indexedCopy('reload');
      const embedder = await tinyEmbedder();
      const local = LocalEngine.fromFolder(indexDir);
      // The local engine, its opening held (as a postgres replica's is while it warms) until the test lets it go.
      let held: Promise<void> | undefined;
      let opening: () => void = () => undefined;
      let fail = false;
      const engine: SearchEngine = {
        backend: local.backend,
        location: local.location,
        currentVersion: () => local.currentVersion(),
        watch: (onPublished, options) => local.watch(onPublished, options),
        build: (options) => local.build(options),
        needsBuild: (error) => local.needsBuild(error),
        close: () => local.close(),
        open: async (options) => {
          const index = await local.open(options);
          opening();
          await held;
          if (fail) {
            fail = false;
            await index.close();
            throw new Error('the database went away');
          }
          return index;
        },
      };
      const errors: string[] = [];
      const service = await AnswerService.open({ engine, embedder, onReloadError: (e) => errors.push(e.message) });
      const publish = async (file: string, text: string) => {
        writeFileSync(join(corpus, file), text);
        await buildIndex({ corpusDir: corpus, indexDir, embedder, chunking: CHUNKING });
        return basename((await currentBuildDir(indexDir)) as string);
      };
      const second = await publish('006_more.txt', 'بكين 3 مارس 2022 (شينخوا) قالت الصين إن التعاون مستمر.\n');
      let release: () => void = () => undefined;
      held = new Promise((resolve) => {
        release = resolve;
      });
      const opened = new Promise<void>((resolve) => {
        opening = resolve;
      });
      fail = failing;
      const first = service.reload();
      await opened; // the second build is open, not yet in use
      const third = await publish('007_more.txt', 'موسكو 4 مارس 2022 (تاس) قال الكرملين إن المحادثات مستمرة.\n');
      expect(third).not.toBe(second);
      const again = service.reload(); // the third build's notice, while the second opens
      held = undefined;
      release();
      await Promise.all([first, again]);
      expect(service.version).toBe(third);
      expect(errors).toEqual(failing ? ['the database went away'] : []);
      service.close();
    });
});

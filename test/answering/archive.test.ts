import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArchiveBusyError,
  type ArchiveService,
  ArticleExistsError,
  ArticleRejectedError,
} from '../../src/answering/archive.js';
import type { AnswerService } from '../../src/answering/service.js';
import { IndexLockedError, lockIndexDir } from '../../src/search/local/location.js';
import { indexedCopy, openArchive, openService, tinyEmbedder } from '../helpers/fixtures.js';

const ARTICLE = 'موسكو 2 مارس 2022 (تاس) قال الكرملين إن المحادثات مع الوفد الأوكراني في إسطنبول مستمرة.\n';
const QUESTION = 'ما موقف الكرملين من المحادثات مع الوفد الأوكراني في إسطنبول؟';

/** A copy of the seed corpus, its index, the service over it and the archive that changes them. */
async function setup(): Promise<{ corpus: string; indexDir: string; service: AnswerService; archive: ArchiveService }> {
  const { corpus, indexDir } = await indexedCopy('archive');
  const embedder = await tinyEmbedder();
  const service = await openService(indexDir, embedder);
  return { corpus, indexDir, service, archive: openArchive(corpus, service, embedder) };
}

const found = async (service: AnswerService, question: string) =>
  (await service.ask(question)).quotes.some((q) => q.text.includes('إسطنبول'));

describe('ArchiveService', () => {
  it('adds an article: saved, indexed incrementally, answered from at once; then removes it', async () => {
    const { corpus, service, archive } = await setup();
    expect(await found(service, QUESTION)).toBe(false);
    const saved: string[] = [];
    const progress: number[] = [];
    const { article, figures } = await archive.add(
      { bytes: Buffer.from(ARTICLE), fileName: 'kremlin.txt' },
      { onSaved: ({ file }) => void saved.push(file), onProgress: (done) => void progress.push(done) },
    );
    expect(saved).toEqual(['kremlin.txt']);
    expect(article).toMatchObject({ id: 'kremlin', outlet: 'تاس', date: '2022-03-02' });
    expect(figures).toMatchObject({ articles: 6, added: 1, changed: 0, removed: 0, live: true, skipped: [] });
    expect(progress.length).toBeGreaterThan(0);
    expect(await found(service, QUESTION)).toBe(true);

    const removed = await archive.remove('kremlin');
    expect(removed.article.title).toBe(article.title);
    expect(removed.figures).toMatchObject({ articles: 5, added: 0, changed: 0, removed: 1, live: true });
    expect(readdirSync(corpus)).not.toContain('kremlin.txt');
    expect(await found(service, QUESTION)).toBe(false);
  });

  it('rebuilds with nothing to do when nothing changed, and counts a changed file as changed', async () => {
    const { corpus, archive } = await setup();
    expect(await archive.rebuild()).toMatchObject({ articles: 5, added: 0, changed: 0, removed: 0 });
    appendFileSync(join(corpus, '003_70567a16c9b3e8e4.txt'), '\nوأكد الوزير أن اللقاء كان مثمرا.\n');
    expect(await archive.rebuild()).toMatchObject({ articles: 5, added: 0, changed: 1, removed: 0 });
  });

  it('refuses a bad or duplicate article before anything is written', async () => {
    const { corpus, archive, service } = await setup();
    const before = readdirSync(corpus).sort();
    const version = service.version;
    await expect(archive.add({ bytes: Buffer.from('\u0000binary'), fileName: 'x.txt' })).rejects.toBeInstanceOf(
      ArticleRejectedError,
    );
    await expect(
      archive.add({ bytes: Buffer.from(ARTICLE), fileName: '000_a15eb1be77281f63.md' }),
    ).rejects.toBeInstanceOf(ArticleExistsError);
    expect(readdirSync(corpus).sort()).toEqual(before);
    expect(service.version).toBe(version);
  });

  it('does one change at a time: a second one while a rebuild runs is refused and writes nothing', async () => {
    const { corpus, archive } = await setup();
    const before = readdirSync(corpus).sort();
    const first = archive.rebuild();
    expect(archive.busy).toBe(true);
    await expect(archive.rebuild()).rejects.toBeInstanceOf(ArchiveBusyError);
    await expect(archive.add({ bytes: Buffer.from(ARTICLE), fileName: 'k.txt' })).rejects.toBeInstanceOf(
      ArchiveBusyError,
    );
    await expect(archive.remove('000_a15eb1be77281f63')).rejects.toBeInstanceOf(ArchiveBusyError);
    await first;
    expect(archive.busy).toBe(false);
    expect(readdirSync(corpus).sort()).toEqual(before);
  });

  it('reports a build by another process (the index folder lock) as IndexLockedError and keeps the live index', async () => {
    const { indexDir, archive, service } = await setup();
    const version = service.version;
    const unlock = await lockIndexDir(indexDir);
    try {
      await expect(archive.rebuild()).rejects.toBeInstanceOf(IndexLockedError);
    } finally {
      await unlock();
    }
    expect(service.version).toBe(version);
    expect(archive.busy).toBe(false);
  });
});

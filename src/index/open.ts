import { join } from 'node:path';
import { HnswIndex } from './hnsw.js';
import { LexicalIndex } from './lexical.js';
import { requireCurrentBuildDir } from './location.js';
import { FILES, FORMAT_VERSION, readJson, readVectors, type Manifest, type StoredArticle, type VectorTable } from './store.js';
import { readFile } from 'node:fs/promises';

/** A sentence of the index, numbered across all articles. */
export interface IndexedSentence {
  id: number;
  /** Position in `articles`. */
  article: number;
  /** Position in its article. */
  position: number;
  text: string;
}

/** A chunk of the index as a range of global sentence ids. */
export interface IndexedChunk {
  id: number;
  article: number;
  first: number;
  /** Inclusive. */
  last: number;
}

/** Everything retrieval needs, loaded from one published build. */
export interface SearchIndex {
  dir: string;
  manifest: Manifest;
  articles: StoredArticle[];
  sentences: IndexedSentence[];
  chunks: IndexedChunk[];
  sentenceVectors: VectorTable;
  /** HNSW and BM25 hits carry labels (see StoredArticle.labels); these map them to ids. */
  sentenceByLabel: Map<number, number>;
  chunkByLabel: Map<number, number>;
  sentenceHnsw: HnswIndex;
  chunkHnsw: HnswIndex;
  sentenceLexical: LexicalIndex;
  chunkLexical: LexicalIndex;
}

export class IndexFormatError extends Error {}

async function openBuild(dir: string): Promise<SearchIndex> {
  const manifest = await readJson<Manifest>(dir, FILES.manifest);
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new IndexFormatError(
      `The index in ${dir} has format ${manifest.formatVersion}; this version reads ${FORMAT_VERSION}. Rebuild it with: npm run index`,
    );
  }
  const articles = await readJson<StoredArticle[]>(dir, FILES.articles);
  const sentences: IndexedSentence[] = [];
  const chunks: IndexedChunk[] = [];
  const sentenceByLabel = new Map<number, number>();
  const chunkByLabel = new Map<number, number>();
  articles.forEach((article, a) => {
    const base = sentences.length;
    article.sentences.forEach((s, position) => {
      sentenceByLabel.set(article.labels.sentences[position], sentences.length);
      sentences.push({ id: base + position, article: a, position, text: s.text });
    });
    article.chunks.forEach((c, i) => {
      chunkByLabel.set(article.labels.chunks[i], chunks.length);
      chunks.push({ id: chunks.length, article: a, first: base + c.first, last: base + c.last });
    });
  });
  const { dimension, counts } = manifest;
  return {
    dir,
    manifest,
    articles,
    sentences,
    chunks,
    sentenceVectors: await readVectors(dir, FILES.sentenceVectors, dimension),
    sentenceByLabel,
    chunkByLabel,
    sentenceHnsw: HnswIndex.read(join(dir, FILES.sentenceHnsw), dimension, { size: counts.sentences }),
    chunkHnsw: HnswIndex.read(join(dir, FILES.chunkHnsw), dimension, { size: counts.chunks }),
    sentenceLexical: LexicalIndex.fromJSON(await readFile(join(dir, FILES.sentenceLexical), 'utf8')),
    chunkLexical: LexicalIndex.fromJSON(await readFile(join(dir, FILES.chunkLexical), 'utf8')),
  };
}

/**
 * Opens the live build of `indexDir`. Should a rebuild replace it while it is
 * being read, the new one is read instead.
 *
 * @throws IndexNotFoundError when no index was built yet.
 */
export async function openIndex(indexDir: string): Promise<SearchIndex> {
  for (let attempt = 0; ; attempt++) {
    const dir = await requireCurrentBuildDir(indexDir);
    try {
      return await openBuild(dir);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT' || /ENOENT|open file/i.test(String(error));
      if (!missing || attempt >= 2) throw error;
    }
  }
}

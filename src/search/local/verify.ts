import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { FILES, type FileRecord, FORMAT_VERSION, type Manifest, PART_FILES, partFile, partsOf } from './store.js';

/** Files up to this size are hashed whole; larger ones (graphs, vectors of big archives) by a sample, to keep opening fast. */
const WHOLE_HASH_LIMIT = 64 * 2 ** 20;
/** A large file's sample: its first and last MiB and this many 4 KiB blocks spread between. */
const SAMPLE_EDGE = 2 ** 20;
const SAMPLE_BLOCKS = 256;
const SAMPLE_BLOCK = 4096;

/** The build cannot be used: a file is missing, truncated, changed, or the manifest is not one. */
export class IndexDamagedError extends UserError {
  override readonly name = 'IndexDamagedError';

  constructor(
    /** The build folder. */
    readonly dir: string,
    /** The file at fault. */
    readonly file: string,
    /** What is wrong with it. */
    readonly problem: string,
  ) {
    super(`The index build ${dir} is damaged: ${file} ${problem}. Rebuild the index with: npm run index -- --full`);
  }
}

/** A file's fingerprint: SHA-256 of the whole file, or of a fixed sample of a large one. */
export async function fingerprint(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    if (bytes <= WHOLE_HASH_LIMIT) {
      hash.update(await handle.readFile());
    } else {
      const read = async (position: number, length: number) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      };
      // Read at once, hashed in order.
      const step = Math.floor((bytes - 2 * SAMPLE_EDGE) / SAMPLE_BLOCKS);
      const blocks = await Promise.all([
        read(0, SAMPLE_EDGE),
        ...Array.from({ length: SAMPLE_BLOCKS }, (_, i) => read(SAMPLE_EDGE + i * step, SAMPLE_BLOCK)),
        read(bytes - SAMPLE_EDGE, SAMPLE_EDGE),
      ]);
      for (const block of blocks) hash.update(block);
      hash.update(`sampled:${bytes}`);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * Records every file of a finished build (all but the manifest, which is
 * written last and holds this). `linked`: the records of files hard-linked
 * from a checked build, taken as they are.
 */
export async function recordFiles(
  dir: string,
  linked: Readonly<Record<string, FileRecord>> = {},
): Promise<Record<string, FileRecord>> {
  const names = (await readdir(dir)).filter((name) => name !== FILES.manifest).sort();
  const records = await Promise.all(
    names.map(async (name): Promise<FileRecord> => {
      if (linked[name]) return linked[name];
      const { size } = await stat(join(dir, name));
      return { bytes: size, sha256: await fingerprint(join(dir, name), size) };
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, records[i]]));
}

const count = z.number().int().min(0);

const manifestSchema = z.object({
  formatVersion: z.number().int(),
  model: z.string().min(1),
  dimension: z.number().int().min(1).max(65536),
  space: z.literal('cosine'),
  chunking: z.object({ maxChars: count, overlap: count }),
  counts: z.object({ articles: count, sentences: count, chunks: count }),
  delta: z.object({ articles: count, sentences: count, chunks: count }).optional(),
  nextLabel: count,
  pending: z.object({ from: count, sentences: count, chunks: count }).optional(),
  graphSizes: z.object({ sentences: count, chunks: count }),
  createdAt: z.string(),
  buildSeconds: z.number(),
  files: z.record(z.string(), z.object({ bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});

/**
 * Checks a build before it is used: the manifest's shape, then each file it
 * records (present, its size, its fingerprint), and that the vector tables
 * hold exactly counts × dimension floats. A build that passes can be opened;
 * one that does not would give wrong answers or a crash.
 *
 * A manifest of another format version is returned unchecked: the caller
 * says the build must be rebuilt.
 *
 * @param required files the reader needs (FILES' names): each must be recorded (in every part, for PART_FILES).
 * @returns the manifest.
 * @throws IndexDamagedError naming the file at fault.
 */
export async function verifyBuild(dir: string, required: readonly string[]): Promise<Manifest> {
  let manifest: Manifest;
  try {
    const raw: unknown = JSON.parse(await readFile(join(dir, FILES.manifest), 'utf8'));
    const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
    if (typeof version === 'number' && version !== FORMAT_VERSION) return raw as Manifest; // the caller reports the format
    manifest = manifestSchema.parse(raw) as Manifest;
  } catch (error) {
    const problem =
      error instanceof z.ZodError ? `is not a valid manifest (${error.issues[0]?.path.join('.')})` : 'cannot be read';
    throw new IndexDamagedError(dir, FILES.manifest, problem);
  }
  const parts = partsOf(manifest);
  if (parts.some((p) => Object.values(p.counts).some((n) => n < 0)))
    throw new IndexDamagedError(dir, FILES.manifest, 'counts more in the delta than in the build');
  const { pending, delta } = manifest;
  if (pending && (!delta || pending.sentences > delta.sentences || pending.chunks > delta.chunks))
    throw new IndexDamagedError(dir, FILES.manifest, 'counts more passages pending than in the delta');
  for (const part of parts) {
    for (const name of required.map((f) => (PART_FILES.includes(f) ? partFile(part.name, f) : f))) {
      if (!manifest.files[name]) throw new IndexDamagedError(dir, name, 'is not recorded in the manifest');
    }
    const tables = [
      [partFile(part.name, FILES.sentenceVectors), part.counts.sentences, manifest.dimension * 4],
      [partFile(part.name, FILES.chunkVectors), part.counts.chunks, manifest.dimension * 4],
      [partFile(part.name, FILES.sentenceKeys), part.counts.sentences, 8],
      [partFile(part.name, FILES.chunkKeys), part.counts.chunks, 8],
    ] as const;
    for (const [name, rows, rowBytes] of tables) {
      const expected = rows * rowBytes;
      if (manifest.files[name]?.bytes !== expected) {
        throw new IndexDamagedError(dir, name, `should hold ${expected} bytes (${rows} rows of ${rowBytes})`);
      }
    }
  }
  // Every file at once; the first damaged one in the manifest's order is named.
  const problems = await Promise.all(
    Object.entries(manifest.files).map(async ([name, record]) => {
      const path = join(dir, name);
      const size = await stat(path).then(
        (s) => s.size,
        () => -1,
      );
      if (size < 0) return new IndexDamagedError(dir, name, 'is missing');
      if (size !== record.bytes)
        return new IndexDamagedError(dir, name, `has ${size} bytes instead of ${record.bytes}`);
      if ((await fingerprint(path, size)) !== record.sha256)
        return new IndexDamagedError(dir, name, 'has changed since it was written');
      return undefined;
    }),
  );
  const problem = problems.find((p) => p !== undefined);
  if (problem) throw problem;
  return manifest;
}

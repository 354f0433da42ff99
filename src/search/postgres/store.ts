import type pg from 'pg';

/** The rows build $1 holds (see schema.ts): added by it or before, not removed by then. */
export const VISIBLE = 'added_in <= $1 AND (removed_in IS NULL OR removed_in > $1)';

/** The same, for a table under an alias. */
export const visible = (alias: string, param = '$1') =>
  `${alias}.added_in <= ${param} AND (${alias}.removed_in IS NULL OR ${alias}.removed_in > ${param})`;

/** A published build, as its row holds it. */
export interface BuildRow {
  id: number;
  model: string;
  dimension: number;
  chunk_max_chars: number;
  chunk_overlap: number;
  articles: number;
  sentences: number;
  chunks: number;
  sentence_avg_length: number;
  chunk_avg_length: number;
  /** Do its passage ids follow its articles' files (then ids never decide equal scores differently from files)? */
  ids_in_file_order: boolean;
}

/** The published build, if any: one round trip. */
export async function readCurrentBuild(db: pg.Pool | pg.ClientBase): Promise<BuildRow | undefined> {
  const { rows } = await db.query<BuildRow & { id: string }>(
    `SELECT b.id, b.model, b.dimension, b.chunk_max_chars, b.chunk_overlap, b.articles, b.sentences, b.chunks,
            b.sentence_avg_length, b.chunk_avg_length, b.ids_in_file_order
       FROM current_build c JOIN builds b ON b.id = c.build_id`,
  );
  return rows[0] && { ...rows[0], id: Number(rows[0].id) };
}

/** The published build's id only (what replicas poll). */
export async function readCurrentBuildId(db: pg.Pool | pg.ClientBase): Promise<number | undefined> {
  const { rows } = await db.query<{ build_id: string }>('SELECT build_id FROM current_build');
  return rows[0] ? Number(rows[0].build_id) : undefined;
}

/** The kinds of passage, as stored in the postings table. */
export const KIND = { sentence: 0, chunk: 1 } as const;

/** A build's version, as SearchIndex and the engine name it. */
export const versionOf = (build: number) => `pg-${build}`;

/** A vector as pgvector reads it: 9 significant digits give every float32 back exactly. */
export function vectorLiteral(vector: Float32Array): string {
  let text = '[';
  for (let i = 0; i < vector.length; i++)
    text += (i ? ',' : '') + (Number.isFinite(vector[i]) ? vector[i].toPrecision(9) : '0');
  return `${text}]`;
}

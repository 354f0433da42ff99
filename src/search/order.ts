/**
 * The order of equal hits, the same in every engine whatever ids it gives.
 *
 * Ids differ between engines once articles have come and gone: the local
 * engine numbers a whole build again in file order, the postgres engine keeps
 * an article's ids for as long as it lives and gives new ones after all
 * others. So equal scores are ordered by what both know alike: the file name
 * of the passage's article (the order a full build gives its articles), then
 * the id, which within one article follows the passages' places in every
 * engine. On a fresh build this is plain id order.
 */

/** File names compared as the builds sort them (UTF-16 code units, not a locale's collation). */
export function compareFiles(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The runs of `hits` equal by `same`, in order, as [start, end) places: a hit unlike its neighbours is a run of one. */
function* runs<T>(hits: readonly T[], same: (a: T, b: T) => boolean): Generator<[number, number]> {
  let start = 0;
  for (let i = 1; i <= hits.length; i++) {
    if (i < hits.length && same(hits[i - 1], hits[i])) continue;
    yield [start, i];
    start = i;
  }
}

/**
 * The ids of `hits` (sorted best first) that are equal to a neighbour by
 * `same` within the first `k`, or in the run of equals that `k` cuts: the only
 * ones whose article's file decides their order.
 */
export function tiedIds<T extends { id: number }>(
  hits: readonly T[],
  same: (a: T, b: T) => boolean,
  k: number,
): number[] {
  const tied: number[] = [];
  for (const [start, end] of runs(hits, same)) {
    if (start >= k) break;
    if (end - start > 1) for (let j = start; j < end; j++) tied.push(hits[j].id);
  }
  return tied;
}

/**
 * `hits` (sorted best first) with each run of equals by `same` in the shared
 * order (file, then id), cut to `k`. `fileOf` is asked only for ids in such
 * runs (see tiedIds).
 */
export function orderTies<T extends { id: number }>(
  hits: readonly T[],
  same: (a: T, b: T) => boolean,
  fileOf: (id: number) => string,
  k = hits.length,
): T[] {
  const out: T[] = [];
  for (const [start, end] of runs(hits, same)) {
    if (out.length >= k) break;
    const run = hits.slice(start, end);
    if (run.length > 1) run.sort((a, b) => compareFiles(fileOf(a.id), fileOf(b.id)) || a.id - b.id);
    out.push(...run);
  }
  return out.slice(0, k);
}

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
  let start = 0;
  for (let i = 1; i <= hits.length; i++) {
    if (i < hits.length && same(hits[i - 1], hits[i])) continue;
    // hits[start .. i-1] is one run of equals.
    if (start >= k) break;
    if (i - start > 1) for (let j = start; j < i; j++) tied.push(hits[j].id);
    start = i;
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
  let start = 0;
  for (let i = 1; i <= hits.length && out.length < k; i++) {
    if (i < hits.length && same(hits[i - 1], hits[i])) continue;
    const run = hits.slice(start, i);
    if (run.length > 1) run.sort((a, b) => compareFiles(fileOf(a.id), fileOf(b.id)) || a.id - b.id);
    out.push(...run);
    start = i;
  }
  return out.slice(0, k);
}

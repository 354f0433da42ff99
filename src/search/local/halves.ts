/**
 * Half-precision (IEEE 754 binary16) copies of vectors: half the memory of
 * the float32 tables, for questions to order sentences by similarity without
 * reading the tables from disk. A half keeps 11 significant bits, so each
 * similarity comes with a bound on its error: an order the bounds cannot
 * decide is settled with the exact vectors (LocalIndex.rankBySimilarity).
 */

const bits = new Uint32Array(1);
const float = new Float32Array(bits.buffer);

/** The float32 value of every half: decoding is a table look-up. */
const VALUES = (() => {
  const values = new Float32Array(2 ** 16);
  for (let h = 0; h < values.length; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    values[h] =
      exponent === 0
        ? sign * mantissa * 2 ** -24
        : exponent === 0x1f
          ? mantissa
            ? Number.NaN
            : sign * Number.POSITIVE_INFINITY
          : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return values;
})();

/** The nearest half to a float32 (ties to even; subnormals kept, not flushed to zero). */
export function toHalf(value: number): number {
  float[0] = value;
  return halfOfBits(bits[0]);
}

/** The nearest half to the float32 whose bits are `x`. */
function halfOfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs >= 0x38800000 && abs < 0x477ff000) return sign | ((abs - 0x38000000 + 0xfff + ((abs >>> 13) & 1)) >>> 13);
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0); // infinity, NaN
  if (abs >= 0x477ff000) return sign | 0x7c00; // rounds past the largest half (65504)
  // Below 2^-14, a subnormal half: a multiple of 2^-24, the float's significand shifted (ties to even).
  const exponent = abs >>> 23;
  if (exponent < 102) return sign; // below 2^-25: rounds to zero
  const significand = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - exponent; // 14 … 24
  const half = significand >>> shift;
  const rest = significand - (half << shift);
  const midpoint = 1 << (shift - 1);
  return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0)); // 1024 is the smallest normal, 0x400
}

/** The float32 value of a half. */
export function fromHalf(half: number): number {
  return VALUES[half];
}

/**
 * A table of vectors held as halves, filled in pieces (rows written in
 * order, as a file is read).
 */
export class HalfTable {
  readonly data: Uint16Array;
  /** Rows written so far. */
  private filled = 0;

  constructor(
    readonly rows: number,
    readonly dimension: number,
  ) {
    this.data = new Uint16Array(rows * dimension);
  }

  /** Is every row in? */
  get complete(): boolean {
    return this.filled === this.rows;
  }

  /** Appends whole rows of float32 values. */
  append(values: Float32Array): void {
    const start = this.filled * this.dimension;
    const count = Math.min(values.length, this.data.length - start);
    const words = new Uint32Array(values.buffer, values.byteOffset, count);
    for (let i = 0; i < count; i++) this.data[start + i] = halfOfBits(words[i]);
    this.filled += Math.floor(count / this.dimension);
  }

  /**
   * The dot product of `vector` with row `row` as held, and how far that can
   * be from the product with the exact row: a half is within 2^-11 of its
   * value relatively (or 2^-25 absolutely, when subnormal), so the error is at
   * most 2^-11·Σ|q·v| + 2^-25·Σ|q| ≤ 2^-11·‖q‖·‖v‖ + 2^-25·√d·‖q‖.
   * `queryNorm` is ‖vector‖: a caller comparing one vector with many rows
   * computes it once.
   */
  similarity(vector: Float32Array, row: number, queryNorm = norm(vector)): { value: number; error: number } {
    const { data, dimension } = this;
    const offset = row * dimension;
    let dot = 0;
    let rowNorm = 0;
    for (let i = 0; i < dimension; i++) {
      const v = VALUES[data[offset + i]];
      dot += vector[i] * v;
      rowNorm += v * v;
    }
    // The row's norm from its halves is itself within 2^-11 of the exact one: 1.001 covers it.
    const error = 2 ** -11 * queryNorm * Math.sqrt(rowNorm) * 1.001 + 2 ** -25 * Math.sqrt(dimension) * queryNorm;
    return { value: dot, error: error + 1e-9 }; // 1e-9: sums in float64 differ in their last bits
  }
}

/** The Euclidean norm of a vector. */
export function norm(vector: Float32Array): number {
  let sum = 0;
  for (const x of vector) sum += x * x;
  return Math.sqrt(sum);
}

/** Dot product: the cosine similarity of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[bOffset + i];
  return sum;
}

export function isZeroVector(v: Float32Array): boolean {
  return v.every((x) => x === 0 || Number.isNaN(x));
}

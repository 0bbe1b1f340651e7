type Numbers = ArrayLike<number> | ArrayLike<bigint>;

export interface Difference {
  count: number;
  /** Flat index of the first difference, and the two values there. */
  index: number;
  product: number | string;
  source: number | string;
}

const show = (x: number | bigint | undefined): number | string =>
  typeof x === "bigint" ? x.toString() : x === undefined ? "missing" : Number.isNaN(x) ? "NaN" : x;

/** Exact comparison (NaN equals NaN): drover copies values, so any difference is an error. */
export function compareValues(product: Numbers, source: Numbers): Difference | undefined {
  let count = 0;
  let first = -1;
  const n = Math.max(product.length, source.length);
  for (let i = 0; i < n; i++) {
    const a = product[i];
    const b = source[i];
    if (a === b) continue;
    if (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)) continue;
    if (first < 0) first = i;
    count++;
  }
  if (count === 0) return undefined;
  return { count, index: first, product: show(product[first]), source: show(source[first]) };
}

/** Flat row-major index → "(i,j,k)" offset by `start`. */
export function position(flat: number, shape: number[], start: number[]): string {
  const idx: number[] = [];
  let r = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    const n = shape[a] ?? 1;
    idx.unshift((r % n) + (start[a] ?? 0));
    r = Math.floor(r / n);
  }
  return `(${idx.join(",")})`;
}

/** A deterministic pseudo-random index in [0, n) derived from a string (the project name). */
export function seededIndex(seed: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  return n <= 0 ? 0 : h % n;
}

// Joining row-major arrays along one axis: the shared step of copying text variables and of
// comparing the variables that several variable sets hold.

/** Row-major elements of `parts` (same shape but along `axis`) concatenated along `axis`; a single part as it is. */
export function concatAlong<T>(parts: ReadonlyArray<{ items: ArrayLike<T>; shape: readonly number[] }>, axis: number): T[] {
  if (parts.length === 1) return Array.from(parts[0]?.items ?? []);
  const at = Math.max(0, axis);
  const first = parts[0]?.shape ?? [];
  const outer = first.slice(0, at).reduce((a, b) => a * b, 1);
  const inner = first.slice(at + 1).reduce((a, b) => a * b, 1);
  const out: T[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const len = (p.shape[at] ?? 0) * inner;
      for (let i = 0; i < len; i++) out.push(p.items[o * len + i] as T);
    }
  }
  return out;
}

// "Did you mean": the names closest to a mistyped one. Pure, so that the command line, group and
// project lookups all suggest the same way.

/**
 * Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1. Case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rows: the one two back (for swaps), the previous one and the current one.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] ?? 0;
}

function sharedPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

export interface SuggestOptions {
  /** Largest edit distance still suggested (default 2). */
  maxDistance?: number;
  /** How many names at most (default 3). */
  limit?: number;
}

/**
 * The candidates close to `name`, closest first: those within `maxDistance` edits (case ignored),
 * then those that start with what was typed or are its start, 3 characters at least ("tas" for
 * "tas_Amon_…", "statuses" for "status"), the longer shared start first. Ties keep the
 * candidates' order.
 */
export function closest(name: string, candidates: Iterable<string>, options: SuggestOptions = {}): string[] {
  const max = options.maxDistance ?? 2;
  const typed = name.toLowerCase();
  const scored: { name: string; score: number; at: number }[] = [];
  let at = 0;
  for (const c of candidates) {
    const lower = c.toLowerCase();
    const distance = editDistance(typed, lower);
    const prefix = sharedPrefix(typed, lower);
    if (distance <= max) scored.push({ name: c, score: distance, at });
    else if (prefix >= 3 && (prefix === typed.length || prefix === lower.length)) scored.push({ name: c, score: max + 1 + 1 / prefix, at });
    at++;
  }
  scored.sort((x, y) => x.score - y.score || x.at - y.at);
  return scored.slice(0, options.limit ?? 3).map((s) => s.name);
}

/** "; did you mean a or b?" (empty when nothing is close), to end a message about an unknown name. */
export function didYouMean(name: string, candidates: Iterable<string>, options: SuggestOptions = {}): string {
  const close = closest(name, candidates, options);
  return close.length > 0 ? `; did you mean ${close.join(" or ")}?` : "";
}

// Words for people: counts with the right plural.

/** "1 file", "3 files", "0 files"; irregular plurals are given. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Keeps up to `max` opened things (files), closing the least recently used when over. */
export class LruPool<T> {
  private readonly items = new Map<string, T>();
  constructor(
    private readonly max: number,
    private readonly open: (key: string) => T,
    private readonly dispose: (item: T) => void,
  ) {
    if (max < 1) throw new Error("an LRU pool holds at least one item");
  }

  get(key: string): T {
    const hit = this.items.get(key);
    if (hit !== undefined) {
      this.items.delete(key);
      this.items.set(key, hit);
      return hit;
    }
    const item = this.open(key);
    this.items.set(key, item);
    if (this.items.size > this.max) {
      const [oldest, old] = this.items.entries().next().value as [string, T];
      this.items.delete(oldest);
      this.dispose(old);
    }
    return item;
  }

  close(): void {
    for (const item of this.items.values()) this.dispose(item);
    this.items.clear();
  }
}

// The last version of each document this tracker wrote or read, so that a transition starts
// from it instead of reading the document again. Bounded: the least recently used go first.
// A cached version may be stale (another copy of the tracker wrote since): a write from it then
// conflicts and is redone from a fresh read, so the cache saves reads but decides nothing.

export class DocCache<T extends { _id: string }> {
  private readonly items = new Map<string, T>();
  constructor(private readonly max: number) {
    if (max < 0) throw new Error("a document cache holds zero or more documents");
  }

  get(id: string): T | undefined {
    const hit = this.items.get(id);
    if (hit === undefined) return undefined;
    this.items.delete(id);
    this.items.set(id, hit);
    return hit;
  }

  set(doc: T): void {
    if (this.max === 0) return;
    this.items.delete(doc._id);
    this.items.set(doc._id, doc);
    if (this.items.size > this.max) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  get size(): number {
    return this.items.size;
  }
}

import type h5wasm from "h5wasm/node";
import { loadHdf5, openHdf5Sync, type H5File } from "./open.js";

/** Keeps up to `max` files open, closing the least recently used: projects may have thousands. */
export class H5FilePool {
  private readonly open = new Map<string, H5File>();
  private constructor(
    private readonly lib: typeof h5wasm,
    private readonly max: number,
  ) {}

  static async create(max = 16): Promise<H5FilePool> {
    return new H5FilePool(await loadHdf5(), max);
  }

  get(path: string): H5File {
    const hit = this.open.get(path);
    if (hit) {
      this.open.delete(path);
      this.open.set(path, hit);
      return hit;
    }
    const f = openHdf5Sync(this.lib, path);
    this.open.set(path, f);
    if (this.open.size > this.max) {
      const [oldest, file] = this.open.entries().next().value as [string, H5File];
      this.open.delete(oldest);
      file.close();
    }
    return f;
  }

  close(): void {
    for (const f of this.open.values()) f.close();
    this.open.clear();
  }
}

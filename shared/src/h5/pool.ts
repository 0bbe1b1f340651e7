import { LruPool } from "../lru.js";
import { loadHdf5, openHdf5Sync, type H5File } from "./open.js";

/** Keeps up to `max` HDF5 files open through h5wasm, closing the least recently used. */
export class H5FilePool extends LruPool<H5File> {
  static async create(max = 16): Promise<H5FilePool> {
    const lib = await loadHdf5();
    return new H5FilePool(max, (path) => openHdf5Sync(lib, path), (f) => f.close());
  }
}

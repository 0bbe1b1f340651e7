// The URLs a reference set names its source files by.
//
// fsspec's local filesystem takes everything after "file://" as the path exactly as written: it
// does not percent-decode. A reference written as Node's pathToFileURL writes it
// ("file:///d/run%201/a.nc") therefore names a file that does not exist, for xarray and kerchunk
// alike. Local references are written "file://" + the path as it is, and read back the same way.
// Only a URL for an http(s) server (PADOCC's remote copy for publication) is percent-encoded.

const FILE = "file://";

/** The reference URL of a local file: "file://" + its absolute path, unescaped, as fsspec reads it. */
export function fileUrl(path: string): string {
  return FILE + path;
}

/** The local path a reference URL names ("file://" stripped, nothing decoded); any other URL as it is. */
export function urlPath(url: string): string {
  return url.startsWith(FILE) ? url.slice(FILE.length) : url;
}

/**
 * The rest of a path (below the prefix being replaced) as it goes after `to`: each segment
 * percent-encoded when `to` is an http(s) URL, and unchanged for a local or other target.
 */
export function remoteRemainder(rest: string, to: string): string {
  if (!/^https?:\/\//i.test(to)) return rest;
  return rest.split("/").map(encodeURIComponent).join("/");
}

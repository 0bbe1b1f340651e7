"""Turns a drover Parquet reference set into Kerchunk JSON the way fsspec's LazyReferenceMapper
reads one (this machine's fsspec 2022.11 predates it): `.zmetadata` is parsed with Python's json
module and each metadata entry is handed to zarr as json.dumps(entry); chunk keys follow the row
order of each variable's records (row-major over its chunk grid, from its `.zarray`).

ROWS is JSON {variable: [row, ...]} with the rows of the variable's refs.<n>.parq files in order,
read by the test (Debian has no Parquet reader for Python); a row is [path, offset, size],
"base64:<raw>", or null for a missing chunk.

usage: /usr/bin/python3 parquet_refs.py PARQ_DIR ROWS OUT
"""
import json
import math
import os
import sys

import numpy as np


def main():
    directory, rows_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(os.path.join(directory, ".zmetadata"), "rb") as f:
        metadata = json.loads(f.read())["metadata"]
    refs = {key: json.dumps(value) for key, value in metadata.items()}
    with open(rows_path) as f:
        rows = json.load(f)
    for name, records in rows.items():
        zarray = metadata[f"{name}/.zarray"]
        grid = [math.ceil(s / c) for s, c in zip(zarray["shape"], zarray["chunks"])]
        keys = [".".join(map(str, idx)) for idx in np.ndindex(*grid)] if grid else ["0"]
        for key, row in zip(keys, records):
            if row is None:
                continue
            if isinstance(row, list) and row[1] == 0 and row[2] == 0:
                row = [row[0]]
            refs[f"{name}/{key}"] = row
    with open(out, "w") as f:
        json.dump({"version": 1, "refs": refs}, f)


if __name__ == "__main__":
    main()

"""Opens drover's Kerchunk references with xarray through fsspec's reference filesystem, exactly
as a user would, and compares every variable with xarray.open_mfdataset on the source files.

usage: /usr/bin/python3 compare_refs.py REFS.json CONCAT_DIM FILE [FILE ...]
Prints a JSON summary; exits 1 on any difference.
"""
import json
import sys
import warnings

import fsspec
import numpy as np
import xarray as xr


def open_refs(path):
    fs = fsspec.filesystem("reference", fo=path)
    return xr.open_dataset(fs.get_mapper(""), engine="zarr", consolidated=False, chunks={})


def main():
    refs, concat_dim, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = open_refs(refs)
        s = xr.open_mfdataset(files, combine="nested", concat_dim=concat_dim, data_vars="minimal", coords="minimal", compat="override")
    problems = []
    for name in s.variables:
        if name not in r.variables:
            problems.append(f"{name}: missing from the references")
            continue
        a, b = s[name], r[name]
        if a.dims != b.dims or a.shape != b.shape:
            problems.append(f"{name}: {a.dims}{a.shape} in the sources, {b.dims}{b.shape} in the references")
            continue
        av, bv = a.values, b.values
        if av.dtype.kind in "fc":
            same = np.array_equal(av, bv, equal_nan=True)
        else:
            same = np.array_equal(av, bv)
        if not same:
            problems.append(f"{name}: values differ")
        if a.dtype != b.dtype:
            problems.append(f"{name}: dtype {a.dtype} in the sources, {b.dtype} in the references")
        for k, v in a.attrs.items():
            if k not in b.attrs:
                problems.append(f"{name}: attribute {k} missing from the references")
            elif np.asarray(b.attrs[k]).dtype.kind != np.asarray(v).dtype.kind and not isinstance(v, str):
                problems.append(f"{name}: attribute {k} is {np.asarray(v).dtype} in the sources, {np.asarray(b.attrs[k]).dtype} in the references")
    print(json.dumps({"variables": len(s.variables), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

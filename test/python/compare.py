"""Opens a drover product with xarray, unmodified, as a user would — Kerchunk JSON through
fsspec's reference filesystem, or a Zarr store — and compares every variable, its dtype and its
attributes with the source files opened by xarray.

usage: /usr/bin/python3 compare.py PRODUCT CONCAT_DIM FILE [FILE ...]
Prints a JSON summary; exits 1 on any difference.
"""
import json
import sys
import warnings

import fsspec
import numpy as np
import xarray as xr


def open_product(path):
    if path.endswith(".json"):
        fs = fsspec.filesystem("reference", fo=path)
        return xr.open_dataset(fs.get_mapper(""), engine="zarr", consolidated=False, chunks={})
    return xr.open_zarr(path, consolidated=False)


def main():
    product, concat_dim, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = open_product(product)
        s = xr.open_mfdataset(files, combine="nested", concat_dim=concat_dim, data_vars="minimal", coords="minimal", compat="override")
    problems = []
    for name in s.variables:
        if name not in p.variables:
            problems.append(f"{name}: missing from the product")
            continue
        a, b = s[name], p[name]
        if a.dims != b.dims or a.shape != b.shape:
            problems.append(f"{name}: {a.dims}{a.shape} in the sources, {b.dims}{b.shape} in the product")
            continue
        av, bv = a.values, b.values
        same = np.array_equal(av, bv, equal_nan=True) if av.dtype.kind in "fc" else np.array_equal(av, bv)
        if not same:
            problems.append(f"{name}: values differ")
        if a.dtype != b.dtype:
            problems.append(f"{name}: dtype {a.dtype} in the sources, {b.dtype} in the product")
        for k, v in a.attrs.items():
            if k not in b.attrs:
                problems.append(f"{name}: attribute {k} missing from the product")
            elif not isinstance(v, str) and np.asarray(b.attrs[k]).dtype.kind != np.asarray(v).dtype.kind:
                problems.append(f"{name}: attribute {k} is {np.asarray(v).dtype} in the sources, {np.asarray(b.attrs[k]).dtype} in the product")
    print(json.dumps({"variables": len(s.variables), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

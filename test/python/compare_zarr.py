"""Opens a drover Zarr product with xarray, unmodified, and compares it with the source files.

usage: /usr/bin/python3 compare_zarr.py PRODUCT.zarr CONCAT_DIM FILE [FILE ...]
Prints a JSON summary; exits 1 on any difference.
"""
import json
import sys
import warnings

import numpy as np
import xarray as xr


def main():
    product, concat_dim, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with warnings.catch_warnings():
        warnings.simplefilter("error", xr.SerializationWarning) if hasattr(xr, "SerializationWarning") else None
        z = xr.open_zarr(product, consolidated=False)
        parts = [xr.open_dataset(f) for f in files]
    src = xr.concat(parts, dim=concat_dim, data_vars="minimal", coords="minimal", compat="override")
    problems = []
    for name in src.variables:
        if name not in z.variables:
            problems.append(f"{name}: missing from the product")
            continue
        a, b = src[name], z[name]
        if a.dims != b.dims or a.shape != b.shape:
            problems.append(f"{name}: {a.dims}{a.shape} in the sources, {b.dims}{b.shape} in the product")
            continue
        av, bv = a.values, b.values
        same = np.array_equal(av, bv) if av.dtype.kind not in "fc" else np.array_equal(av, bv, equal_nan=True)
        if not same:
            problems.append(f"{name}: values differ")
        if a.dtype != b.dtype:
            problems.append(f"{name}: dtype {a.dtype} in the sources, {b.dtype} in the product")
        for k, v in a.attrs.items():
            if k not in b.attrs:
                problems.append(f"{name}: attribute {k} missing from the product")
    print(json.dumps({"variables": len(src.variables), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

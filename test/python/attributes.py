"""Every attribute of a source file, as netCDF4-python reads it, must be in the drover product as
xarray (zarr 2 underneath) reads it, with the same value and kind: the file's global attributes,
and each variable's, _FillValue included (xarray puts the Zarr fill_value there when nothing is
decoded). NaN equals NaN; a float must stay a float, an integer an integer, text text.

usage: /usr/bin/python3 attributes.py PRODUCT FILE [VARIABLE ...]
PRODUCT is Kerchunk JSON (opened through fsspec's reference filesystem) or a Zarr store; only the
named variables are checked when some are named. Prints {"attributes": n, "problems": [...]} as
JSON; exits 1 on any difference.
"""
import json
import sys
import warnings

import fsspec
import netCDF4
import numpy as np
import xarray as xr


def open_product(path):
    options = dict(engine="zarr", consolidated=False, decode_cf=False, mask_and_scale=False, decode_times=False)
    if path.endswith(".json"):
        fs = fsspec.filesystem("reference", fo=path)
        return xr.open_dataset(fs.get_mapper(""), **options)
    return xr.open_dataset(path, **options)


def kind(value):
    if isinstance(value, (str, bytes)):
        return "text"
    k = np.asarray(value).dtype.kind
    return {"f": "float", "i": "integer", "u": "integer", "U": "text", "S": "text", "b": "bool"}.get(k, k)


def difference(source, product):
    ks, kp = kind(source), kind(product)
    if ks != kp:
        return f"{source!r} ({ks}) in the source, {product!r} ({kp}) in the product"
    if ks == "text":
        return None if np.array_equal(np.asarray(source, dtype=object), np.asarray(product, dtype=object)) else f"{source!r} in the source, {product!r} in the product"
    a, b = np.atleast_1d(source), np.atleast_1d(product)
    if a.shape != b.shape or not np.array_equal(a, b, equal_nan=ks == "float"):
        return f"{source!r} in the source, {product!r} in the product"
    return None


def compare(label, source, product, problems):
    for k, v in source.items():
        if k not in product:
            problems.append(f"{label}: attribute {k} missing from the product")
            continue
        why = difference(v, product[k])
        if why:
            problems.append(f"{label}: attribute {k}: {why}")
    for k in product:
        if k not in source:
            problems.append(f"{label}: attribute {k} is in the product but not in the source")
    return len(source)


def main():
    product, path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = open_product(product)
        with netCDF4.Dataset(path) as s:
            s.set_auto_maskandscale(False)
            n = compare("global", {k: s.getncattr(k) for k in s.ncattrs()}, p.attrs, problems)
            for name, v in s.variables.items():
                if names and name not in names:
                    continue
                if name not in p.variables:
                    problems.append(f"{name}: missing from the product")
                    continue
                n += compare(name, {k: v.getncattr(k) for k in v.ncattrs()}, p[name].attrs, problems)
    print(json.dumps({"attributes": n, "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

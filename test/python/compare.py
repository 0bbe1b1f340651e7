"""Opens a drover product with xarray, unmodified, as a user would — Kerchunk JSON through
fsspec's reference filesystem, or a Zarr store — and compares every variable, its dtype and its
attributes with the source files opened by xarray; then every group below the root of the first
source (found with netCDF4), opened on both sides with `group=`, with its variables and its
attributes.

usage: /usr/bin/python3 compare.py PRODUCT CONCAT_DIM FILE [FILE ...]
Prints a JSON summary; exits 1 on any difference.
"""
import json
import os
import sys
import warnings

import fsspec
import netCDF4
import numpy as np
import xarray as xr


def open_product(path, group=None):
    if path.endswith(".json"):
        fs = fsspec.filesystem("reference", fo=path)
        return xr.open_dataset(fs.get_mapper(""), engine="zarr", consolidated=False, chunks={}, group=group)
    return xr.open_zarr(path, consolidated=False, group=group)


def is_merge(files, group=None):
    """Files hold different variables for the same steps: every set has a variable of its own."""
    keys = variable_sets_keys(files, group)
    if len(keys) < 2:
        return False
    return all(any(sum(name in other for other in keys) == 1 for name in k) for k in keys)


def variable_sets_keys(files, group=None):
    keys = []
    for f in files:
        with netCDF4.Dataset(f) as d:
            g = d[group] if group else d
            k = frozenset(g.variables)
            if k not in keys:
                keys.append(k)
    return keys


def open_sources(files, concat_dim, group=None):
    if is_merge(files, group):
        # One variable per file (uas_1982.nc, vas_1982.nc, …): xarray concatenates each variable
        # set along the coordinate and merges the sets; variables they share must not conflict.
        return xr.open_mfdataset(files, group=group, combine="by_coords", data_vars="minimal", coords="minimal", compat="no_conflicts", join="exact")
    return xr.open_mfdataset(files, group=group, combine="nested", concat_dim=concat_dim, data_vars="minimal", coords="minimal", compat="override")


def source_groups(path):
    """Every group below the root, parents first, as paths without a leading "/"."""
    out = []

    def walk(g, prefix):
        for name, sub in g.groups.items():
            out.append(prefix + name)
            walk(sub, prefix + name + "/")

    with netCDF4.Dataset(path) as d:
        walk(d, "")
    return out


def same_attribute(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and x.dtype.kind == y.dtype.kind and equal(x, y)


# Elements read at once from each side: a variable larger than this is compared a slab of its
# first axis at a time, never whole (the 3 GB bench product: 3.9 GB at the peak, where reading
# whole variables ran out of memory).
SLAB = int(os.environ.get("DROVER_COMPARE_SLAB", 1 << 24))


def equal(x, y):
    """Equal values, NaN equal to NaN where the values are floating point."""
    return np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")


def same_values(a, b):
    if a.ndim == 0 or a.size <= SLAB:
        return equal(a.values, b.values)
    first = a.dims[0]
    step = max(1, SLAB // (a.size // a.shape[0]))
    return all(equal(a.isel({first: slice(i, i + step)}).values, b.isel({first: slice(i, i + step)}).values) for i in range(0, a.shape[0], step))


def compare_variables(s, p, where, problems):
    for name in s.variables:
        label = f"{where}{name}"
        if name not in p.variables:
            problems.append(f"{label}: missing from the product")
            continue
        a, b = s[name], p[name]
        if a.dims != b.dims or a.shape != b.shape:
            problems.append(f"{label}: {a.dims}{a.shape} in the sources, {b.dims}{b.shape} in the product")
            continue
        if not same_values(a, b):
            problems.append(f"{label}: values differ")
        if a.dtype != b.dtype:
            problems.append(f"{label}: dtype {a.dtype} in the sources, {b.dtype} in the product")
        for k, v in a.attrs.items():
            if k not in b.attrs:
                problems.append(f"{label}: attribute {k} missing from the product")
            elif not isinstance(v, str) and np.asarray(b.attrs[k]).dtype.kind != np.asarray(v).dtype.kind:
                problems.append(f"{label}: attribute {k} is {np.asarray(v).dtype} in the sources, {np.asarray(b.attrs[k]).dtype} in the product")


def compare_group_attributes(s, p, group, problems):
    for k, v in s.attrs.items():
        if k not in p.attrs:
            problems.append(f"group {group}: attribute {k} missing from the product")
        elif not same_attribute(v, p.attrs[k]):
            problems.append(f"group {group}: attribute {k} is {v!r} in the sources, {p.attrs[k]!r} in the product")
    for k in p.attrs:
        if k not in s.attrs:
            problems.append(f"group {group}: attribute {k} is in the product but not in the sources")


def main():
    product, concat_dim, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = open_product(product)
        s = open_sources(files, concat_dim)
        compare_variables(s, p, "", problems)
        variables = len(s.variables)
        groups = source_groups(files[0])
        for g in groups:
            try:
                pg = open_product(product, g)
            except Exception as e:  # zarr raises several kinds for a missing group
                problems.append(f"group {g}: missing from the product ({type(e).__name__})")
                continue
            sg = open_sources(files, concat_dim, g)
            compare_variables(sg, pg, f"{g}/", problems)
            compare_group_attributes(sg, pg, g, problems)
            variables += len(sg.variables)
    print(json.dumps({"variables": variables, "groups": len(groups), "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

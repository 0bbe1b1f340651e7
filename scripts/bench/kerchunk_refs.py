"""Python kerchunk's answer to `drover refs`, timed side by side by `npm run bench`.

usage: python3 kerchunk_refs.py OUT.json FILE...

One reference set a file (kerchunk.hdf.SingleHdf5ToZarr, kerchunk's default inline threshold),
combined along the series' unlimited dimension (kerchunk.combine.MultiZarrToZarr, every variable
without that dimension declared identical), written as JSON. This is the work `drover refs
--no-validate` does; the bench runs it as a whole process, start-up and imports included.
Prints kerchunk's version and the process's peak resident memory as JSON on stdout.
"""

import json
import resource
import sys

import h5py
import kerchunk
from kerchunk.combine import MultiZarrToZarr
from kerchunk.hdf import SingleHdf5ToZarr


def concat_dimension(path):
    """The first unlimited dimension of a netCDF-4 file (its dimension scale with maxshape None)."""
    with h5py.File(path, "r") as f:
        for name, obj in f.items():
            if isinstance(obj, h5py.Dataset) and obj.attrs.get("CLASS") == b"DIMENSION_SCALE" and obj.maxshape[:1] == (None,):
                return name
    raise SystemExit(f"{path}: no unlimited dimension to combine along")


def arrays_without(refs, dim):
    """Variables of one file's references that do not lie along `dim`."""
    names = []
    for key, value in refs["refs"].items():
        if key.endswith("/.zattrs") and "/" not in key[: -len("/.zattrs")]:
            dims = json.loads(value).get("_ARRAY_DIMENSIONS", [])
            if dim not in dims:
                names.append(key[: -len("/.zattrs")])
    return names


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    out, files = argv[1], argv[2:]
    singles = []
    for path in files:
        with open(path, "rb") as f:
            singles.append(SingleHdf5ToZarr(f, "file://" + path).translate())
    dim = concat_dimension(files[0])
    combined = MultiZarrToZarr(singles, concat_dims=[dim], identical_dims=arrays_without(singles[0], dim)).translate()
    with open(out, "w") as f:
        json.dump(combined, f)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"version": kerchunk.__version__, "peakRssKb": peak_kb}))


if __name__ == "__main__":
    main(sys.argv)

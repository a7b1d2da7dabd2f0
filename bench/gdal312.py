"""GDAL 3.12's own ogr2ogr, for bench/convert.py: ``GDALVectorTranslate`` (the function behind ogr2ogr) called
through ctypes from the libgdal that pyogrio's wheel bundles, the GDAL odl-geo itself runs.

Debian's ``gdal-bin`` is GDAL 3.6 and the ``gdal`` PyPI package is source only (it would need GDAL 3.12's headers
and a compiler); pyogrio exposes no translate function. The bundled library exports the C API, so this calls it
with ogr2ogr's own options::

    .venv/bin/python bench/gdal312.py DEST SRC [ogr2ogr options: -f GPKG, -t_srs EPSG:4326, -lco ...]

Prints the GDAL release it ran; exit 1 when the translation failed.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys

import pyogrio  # sets GDAL_DATA / PROJ_DATA for the bundled library

LIBS = os.path.join(os.path.dirname(pyogrio.__file__), os.pardir, "pyogrio.libs")
lib = ctypes.CDLL(glob.glob(os.path.join(LIBS, "libgdal-*.so*"))[0])
lib.GDALAllRegister()
lib.GDALOpenEx.restype = ctypes.c_void_p
lib.GDALOpenEx.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
lib.GDALVectorTranslateOptionsNew.restype = ctypes.c_void_p
lib.GDALVectorTranslateOptionsNew.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_void_p]
lib.GDALVectorTranslate.restype = ctypes.c_void_p
lib.GDALVectorTranslate.argtypes = [
    ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_int),
]  # fmt: skip
lib.GDALClose.argtypes = [ctypes.c_void_p]
lib.GDALVersionInfo.restype = ctypes.c_char_p


def main(dest: str, src: str, *opts: str) -> int:
    ds = lib.GDALOpenEx(src.encode(), 0x04, None, None, None)  # GDAL_OF_VECTOR
    if not ds:
        print(f"cannot open {src}", file=sys.stderr)
        return 1
    argv = (ctypes.c_char_p * (len(opts) + 1))(*[o.encode() for o in opts], None)
    options = lib.GDALVectorTranslateOptionsNew(argv, None)
    err = ctypes.c_int(0)
    srcs = (ctypes.c_void_p * 1)(ds)
    out = lib.GDALVectorTranslate(dest.encode(), None, 1, srcs, options, ctypes.byref(err))
    if not out or err.value:
        print("GDALVectorTranslate failed", file=sys.stderr)
        return 1
    lib.GDALClose(out)
    lib.GDALClose(ds)
    print(lib.GDALVersionInfo(b"RELEASE_NAME").decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

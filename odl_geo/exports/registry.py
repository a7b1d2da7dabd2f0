"""The output formats odl-geo writes, by the key used on the command line (``--to gpkg,geojson``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InputError
from .csv import CSVWriter
from .flatgeobuf import FlatGeobufWriter
from .geojson import GeoJSONWriter
from .geoparquet import GeoParquetWriter
from .gpkg import GeoPackageWriter
from .kml import KMLWriter
from .shapefile import ShapefileWriter

if TYPE_CHECKING:
    from .base import Writer

__all__ = ["FORMATS", "writers_for"]

FORMATS: dict[str, type[Writer]] = {
    w.key: w
    for w in (
        GeoPackageWriter,
        GeoJSONWriter,
        ShapefileWriter,
        CSVWriter,
        KMLWriter,
        FlatGeobufWriter,
        GeoParquetWriter,
    )
}
ALIASES = {
    "geopackage": "gpkg",
    "json": "geojson",
    "shapefile": "shp",
    "zip": "shp",
    "flatgeobuf": "fgb",
    "geoparquet": "parquet",
    "kmz": "kml",
}


def writers_for(keys: list[str] | tuple[str, ...]) -> list[Writer]:
    """Writers for format keys, in the given order, each once.

    :raises InputError: a key is not a known format.
    """
    out: list[Writer] = []
    for raw in keys:
        key = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if key not in FORMATS:
            raise InputError(f"Unknown output format {raw!r}.", "Choose among: " + ", ".join(FORMATS) + ".")
        if all(w.key != key for w in out):
            out.append(FORMATS[key]())
    if not out:
        raise InputError("No output format was given.", "Use --to, e.g. --to gpkg,geojson.")
    return out

"""The output formats odl-geo writes, by the key used on the command line (``--to gpkg,geojson``)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from .base import Writer

__all__ = ["WRITERS", "writer_class", "writers_for"]

#: format key -> the module and class of its writer, imported when the format is asked for: a writer's module
#: brings its library (KML: lxml, GeoParquet: Arrow's Parquet and file systems), ~6 MB of a process's resident
#: set for formats a run does not write
WRITERS: dict[str, tuple[str, str]] = {
    "gpkg": ("gpkg", "GeoPackageWriter"),
    "geojson": ("geojson", "GeoJSONWriter"),
    "shp": ("shapefile", "ShapefileWriter"),
    "csv": ("csv", "CSVWriter"),
    "kml": ("kml", "KMLWriter"),
    "fgb": ("flatgeobuf", "FlatGeobufWriter"),
    "parquet": ("geoparquet", "GeoParquetWriter"),
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


def writer_class(key: str) -> type[Writer]:
    """The writer of format ``key`` (a key of :data:`WRITERS`), its module imported now."""
    module, name = WRITERS[key]
    found: type[Writer] = getattr(importlib.import_module(f".{module}", __package__), name)
    return found


def writers_for(keys: list[str] | tuple[str, ...]) -> list[Writer]:
    """Writers for format keys, in the given order, each once.

    :raises InputError: a key is not a known format.
    """
    out: list[Writer] = []
    for raw in keys:
        key = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if key not in WRITERS:
            raise InputError(
                f"Unknown output format {raw!r}.",
                "Choose among: " + ", ".join(WRITERS) + ".",
                message_fr=f"Format de sortie inconnu : {raw!r}.",
                hint_fr="Choisissez parmi : " + ", ".join(WRITERS) + ".",
            )
        if all(w.key != key for w in out):
            out.append(writer_class(key)())
    if not out:
        raise InputError(
            "No output format was given.",
            "Use --to, e.g. --to gpkg,geojson.",
            message_fr="Aucun format de sortie n'a été indiqué.",
            hint_fr="Utilisez --to, par exemple --to gpkg,geojson.",
        )
    return out

"""Which file extensions odl-geo reads, and with which GDAL driver.

Kept as data so that ``inspect`` can say "this is a sidecar of X" instead of "unsupported".
"""

from __future__ import annotations

from pathlib import PurePath

__all__ = ["DATASET_EXTENSIONS", "SIDECAR_EXTENSIONS", "driver_for", "is_dataset_name"]

#: extension (lower case, with dot) -> GDAL driver that reads it
DATASET_EXTENSIONS: dict[str, str] = {
    ".shp": "ESRI Shapefile",
    ".dbf": "ESRI Shapefile",  # a table without geometry when no .shp stands beside it
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "LIBKML",
    ".kmz": "LIBKML",
    ".gpx": "GPX",
    ".tab": "MapInfo File",
    ".mif": "MapInfo File",
    ".csv": "CSV",
    ".fgb": "FlatGeobuf",
    ".vrt": "OGR_VRT",
}

#: files that belong to another dataset and are never opened on their own
SIDECAR_EXTENSIONS = frozenset(
    {
        ".shx",
        ".prj",
        ".cpg",
        ".qpj",
        ".qml",
        ".sld",
        ".qix",
        ".sbn",
        ".sbx",
        ".xml",
        ".idm",
        ".ind",
        ".dat",
        ".map",
        ".id",
        ".mid",
        ".csvt",
        ".txt",
        ".md",
        ".pdf",
        ".html",
        ".htm",
        ".lyr",
        ".aux",
    }
)


def driver_for(name: str) -> str | None:
    """GDAL driver for a file name, or None if odl-geo does not read that extension."""
    return DATASET_EXTENSIONS.get(PurePath(name).suffix.lower())


def is_dataset_name(name: str) -> bool:
    return driver_for(name) is not None

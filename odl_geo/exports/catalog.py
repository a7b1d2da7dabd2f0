"""Output format keys and labels as plain data, importable without GDAL (the QGIS plugin lists them in-process)."""

from __future__ import annotations

__all__ = ["DEFAULT_FORMATS", "FORMAT_LABELS"]

#: key used on the command line -> label shown to people; the writers in exports/registry.py match it (tested)
FORMAT_LABELS: dict[str, str] = {
    "gpkg": "GeoPackage",
    "geojson": "GeoJSON (RFC 7946)",
    "shp": "Shapefile (zipped)",
    "csv": "CSV",
    "kml": "KML",
    "fgb": "FlatGeobuf",
    "parquet": "GeoParquet",
}

#: what ``odl-geo convert`` writes when --to is not given
DEFAULT_FORMATS: tuple[str, ...] = ("gpkg", "geojson", "shp", "csv")

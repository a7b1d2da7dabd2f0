"""Reading odl-geo outputs back with independent readers (pyogrio, geopandas, pandas, zipfile)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyproj import CRS

if TYPE_CHECKING:
    from pathlib import Path

ALL_FORMATS = ("gpkg", "geojson", "shp", "csv", "kml", "fgb", "parquet")
WGS84 = CRS.from_epsg(4326)
LAMBERT93 = CRS.from_epsg(2154)


@dataclass
class ReadBack:
    """One output file as an independent reader sees it."""

    count: int
    crs: CRS | None
    frame: pd.DataFrame  # attributes (and ``geometry`` when the format has one)
    csv_geometry: tuple[str, ...] = ()  # CSV: the WKT column, or the longitude and latitude columns

    @property
    def geometries(self) -> list[object]:
        if isinstance(self.frame, gpd.GeoDataFrame) and self.frame.geometry.name in self.frame:
            return list(self.frame.geometry)
        if len(self.csv_geometry) == 1:
            return [shapely.from_wkt(v) if isinstance(v, str) and v else None for v in self.frame[self.csv_geometry[0]]]
        if len(self.csv_geometry) == 2:
            lon, lat = self.csv_geometry
            return [
                shapely.Point(x, y) if pd.notna(x) else None
                for x, y in zip(self.frame[lon], self.frame[lat], strict=True)
            ]
        return []


def _frame(path: str, **kwargs: object) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, **kwargs)


def read_back(out_dir: Path, entry: dict) -> ReadBack:
    """Read the manifest ``entry`` (a dict from manifest.json) from ``out_dir``."""
    path = out_dir / entry["path"]
    fmt = entry["format"]
    if fmt == "gpkg":
        df = _frame(str(path), layer=entry["layer"])
    elif fmt == "shp":
        with zipfile.ZipFile(path) as zf:
            # a table without geometry is a lone .dbf
            members = sorted(n for n in zf.namelist() if n.endswith(".shp")) or [
                n for n in zf.namelist() if n.endswith(".dbf")
            ]
        parts = [_frame(f"/vsizip/{path}/{m}") for m in members]
        df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if len(parts) > 1:
            df = gpd.GeoDataFrame(df, geometry="geometry", crs=parts[0].crs)
    elif fmt == "csv":
        df = pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    elif fmt == "parquet":
        df = gpd.read_parquet(path) if entry["geometry_type"] else pd.read_parquet(path)
    else:
        df = _frame(str(path))
    crs = df.crs if isinstance(df, gpd.GeoDataFrame) else None  # CSV has no CRS of its own
    csv_geometry: tuple[str, ...] = ()
    if fmt == "csv" and entry["geometry_type"]:
        # the writer appends them last: lon/lat for points, WKT otherwise
        last = [str(c) for c in df.columns]
        csv_geometry = tuple(last[-2:]) if last[-1].startswith("latitude") else (last[-1],)
    return ReadBack(len(df), crs, df, csv_geometry)


def count_and_crs(out_dir: Path, entry: dict) -> tuple[int, CRS | None]:
    """Feature count and CRS of an output without building geometries (cheaper than :func:`read_back`)."""
    path = out_dir / entry["path"]
    fmt = entry["format"]
    if fmt == "parquet":
        meta = pq.ParquetFile(path).metadata
        geo = json.loads(meta.metadata[b"geo"]) if b"geo" in (meta.metadata or {}) else None
        crs = CRS.from_json_dict(geo["columns"][geo["primary_column"]]["crs"]) if geo else None
        return meta.num_rows, crs
    if fmt == "csv":
        return len(pd.read_csv(path, encoding="utf-8", usecols=[0])), None
    if fmt == "shp":
        with zipfile.ZipFile(path) as zf:
            members = sorted(n for n in zf.namelist() if n.endswith(".shp")) or [
                n for n in zf.namelist() if n.endswith(".dbf")
            ]
        infos = [pyogrio.read_info(f"/vsizip/{path}/{m}") for m in members]
        crs = CRS.from_user_input(infos[0]["crs"]) if infos[0]["crs"] else None
        return sum(int(i["features"]) for i in infos), crs
    info = pyogrio.read_info(path, layer=entry["layer"] if fmt == "gpkg" else None, force_feature_count=True)
    return int(info["features"]), CRS.from_user_input(info["crs"]) if info["crs"] else None

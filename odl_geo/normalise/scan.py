"""A first, cheap pass over a layer's geometries: which types it holds, so writers can declare one.

Only the WKB headers are read (no geometry is parsed), so the pass costs about one read of the
geometry column. It is what lets odl-geo write a typed GeoPackage from a Shapefile that mixes Polygon and
MultiPolygon, or split a non-conformant Shapefile holding points, lines and polygons.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyogrio

if TYPE_CHECKING:
    from ..sources.layer import LayerSource

__all__ = ["GeometryScan", "scan_geometries"]

_FAMILY_OF_NAME = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "GeometryCollection": "collection",
}
_NAMES = {
    1: "Point",
    2: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


@dataclass
class GeometryScan:
    counts: dict[str, int] = field(default_factory=dict)  # geometry type name -> features
    nulls: int = 0
    has_z: bool = False
    has_m: bool = False

    @property
    def families(self) -> set[str]:
        return {_FAMILY_OF_NAME[name] for name in self.counts}

    @property
    def has_multi_points(self) -> bool:
        return "MultiPoint" in self.counts

    def output_type(self, promote_multi: bool, family: str | None = None, force_2d: bool = False) -> str:
        """The geometry type a typed writer should declare ("Unknown" when families are mixed)."""
        fams = {family} if family else self.families - {"collection"}
        if "collection" in self.families and not family:
            return self._z("Unknown", force_2d)
        if len(fams) != 1:
            return self._z("Unknown", force_2d)
        fam = fams.pop()
        if fam == "point":
            name = "MultiPoint" if self.has_multi_points else "Point"
        else:
            single, multi = ("LineString", "MultiLineString") if fam == "line" else ("Polygon", "MultiPolygon")
            name = multi if promote_multi or multi in self.counts else single
        return self._z(name, force_2d)

    def _z(self, name: str, force_2d: bool) -> str:
        return f"{name} Z" if self.has_z and not force_2d and name != "Unknown" else name


def scan_geometries(layer: LayerSource, batch_size: int = 262_144) -> GeometryScan:
    """Count geometry types from WKB headers (no parsing)."""
    from .geometry import wkb_type_codes

    scan = GeometryScan()
    if not layer.has_geometry or layer.feature_count == 0:
        return scan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pyogrio.open_arrow(
            layer.gdal_path, columns=[], batch_size=batch_size, use_pyarrow=True, **layer.read_kwargs()
        ) as (meta, reader):
            geom_name = meta.get("geometry_name") or "wkb_geometry"
            for batch in reader:
                if geom_name not in batch.schema.names:
                    continue
                raw = wkb_type_codes(batch.column(geom_name))
                scan.nulls += int((raw < 0).sum())
                valid = raw[raw >= 0]
                dims = valid // 1000
                scan.has_z |= bool(np.isin(dims, (1, 3)).any())
                scan.has_m |= bool(np.isin(dims, (2, 3)).any())
                codes, counts = np.unique(valid % 1000, return_counts=True)
                for code, count in zip(codes, counts, strict=True):
                    name = _NAMES.get(int(code), "GeometryCollection")
                    scan.counts[name] = scan.counts.get(name, 0) + int(count)
    return scan

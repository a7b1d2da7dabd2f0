"""What every writer shares: the output file record and the writing context."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyproj import CRS

if TYPE_CHECKING:
    from pathlib import Path

    from ..feedback import Feedback
    from ..normalise.options import NormaliseOptions
    from ..normalise.scan import GeometryScan
    from ..report import Report
    from ..sources.layer import LayerSource

__all__ = ["OutputFile", "WriteContext", "Writer"]


@dataclass
class OutputFile:
    """One file written (paths are relative to the output folder)."""

    path: str
    format: str
    layer: str
    crs: str | None
    feature_count: int
    geometry_type: str | None
    bbox: list[float] | None = None  # in the file's CRS
    bbox_wgs84: list[float] | None = None
    field_mapping: dict[str, str] = field(default_factory=dict)  # original -> written, when they differ
    sha256: str = ""
    size: int = 0
    #: the national schema the file follows, as data.gouv.fr wants it on a resource: ``{"name", "version"}``
    #: (set on theme products by :mod:`odl_geo.theme.outputs`; None for a plain conversion)
    schema: dict[str, str] | None = None


@dataclass
class WriteContext:
    """Shared by all writers of one conversion."""

    staging: Path  # files are written here, then moved into the output folder at the end
    source_stem: str
    base_options: NormaliseOptions
    feedback: Feedback
    report: Report
    gdal_date: str  # fixed timestamp written into GeoPackages, so that same input -> same bytes
    geojson_precision: int = 7


class Writer(ABC):
    """One output format. Subclasses declare their constraints and write one layer at a time."""

    key: str = ""
    label: str = ""
    extension: str = ""
    target_epsg: int | None = None  # None keeps the source CRS
    typed: bool = True  # one declared geometry type per layer (promote to multi)
    writes_tables: bool = True  # can hold a layer without geometry

    def target_crs(self) -> CRS | None:
        return CRS.from_epsg(self.target_epsg) if self.target_epsg else None

    def options_for(self, ctx: WriteContext, layer: LayerSource) -> NormaliseOptions:
        from dataclasses import replace

        return replace(
            ctx.base_options, target_crs=self.target_crs() if layer.has_geometry else None, promote_multi=self.typed
        )

    @abstractmethod
    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        """Write one layer into ``ctx.staging``; return the files (or parts of files) written."""

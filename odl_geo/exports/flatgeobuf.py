"""FlatGeobuf (EPSG:2154) with its packed Hilbert R-tree, for fast streaming to web maps.

The spatial index cannot hold a feature without geometry (GDAL refuses the whole file). Such a layer is
written again without the index rather than losing features or failing: the file stays readable, only
bounding-box requests are slower, and the report says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import OutputError
from ..naming import safe_file_stem
from ..normalise.pipeline import LayerStream
from ..report import Issue, Report, Severity
from .base import OutputFile, WriteContext, Writer
from .ogr import write_stream

if TYPE_CHECKING:
    from pathlib import Path

    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["FlatGeobufWriter"]


class FlatGeobufWriter(Writer):
    key, label, extension, target_epsg, writes_tables = "fgb", "FlatGeobuf", ".fgb", 2154, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        # the first attempt reports into a scratch report, so that a second pass does not count twice
        first_try = Report()
        try:
            out = self._write(layer, scan, replace(ctx, report=first_try), path, spatial_index=True)
        except OutputError as exc:
            if "null geometry" not in str(exc).lower():
                raise
            path.unlink(missing_ok=True)
            ctx.report.add(
                Issue(
                    "FGB_NO_SPATIAL_INDEX",
                    Severity.WARNING,
                    f"{path.name}: features without geometry cannot be in a FlatGeobuf spatial index, so the file "
                    "was written without one (readers scan it whole).",
                    "Use --drop-empty to leave those features out and keep the index.",
                    layer=layer.name,
                    message_fr=f"{path.name} : des objets sans géométrie ne peuvent pas figurer dans l'index spatial "
                    "d'un FlatGeobuf ; le fichier a donc été écrit sans index (les logiciels le lisent en entier).",
                    hint_fr="Utilisez --drop-empty pour écarter ces objets et garder l'index.",
                )
            )
            out = self._write(layer, scan, ctx, path, spatial_index=False)
        else:
            ctx.report.extend(first_try)
        return [out] if out else []

    def _write(
        self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext, path: Path, *, spatial_index: bool
    ) -> OutputFile | None:
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        return write_stream(
            stream,
            path,
            "FlatGeobuf",
            ctx,
            fmt=self.key,
            layer_name=layer.name,
            layer_options={"SPATIAL_INDEX": "YES" if spatial_index else "NO"},
        )

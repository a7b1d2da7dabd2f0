"""``odl-geo inspect``: what is in a file and what is wrong with it, without writing anything.

Every geometry is read once (streamed) so that the problems listed are counted, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .crs import crs_code, label
from .feedback import Feedback, NullFeedback
from .normalise.options import NormaliseOptions
from .normalise.pipeline import LayerStream
from .normalise.scan import scan_geometries
from .report import Report, Severity
from .sources import ReadOptions, open_source

if TYPE_CHECKING:
    from pathlib import Path

    from .sources import LayerSource

__all__ = ["LayerReport", "inspect_source"]


@dataclass
class LayerReport:
    name: str
    display: str
    driver: str
    declared_geometry_type: str | None
    geometry_types: dict[str, int]
    feature_count: int
    crs: str | None
    crs_label: str
    crs_how: str
    encoding: str | None
    encoding_how: str | None
    fields: list[tuple[str, str]]
    bounds: list[float] | None
    report: Report = field(default_factory=Report)
    bounds_unit: str | None = None  # "degree", "metre"... (of the CRS axes); None without CRS

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["fields"] = [{"name": n, "type": t} for n, t in self.fields]
        d["issues"] = self.report.to_dict()["issues"]
        del d["report"]
        return d


def inspect_source(
    path: str | Path, read_options: ReadOptions | None = None, feedback: Feedback | None = None
) -> tuple[list[LayerReport], Report]:
    """Describe each layer of ``path`` and count its problems.

    :returns: per-layer reports and the source-level report (members of a zip that could not be read).
    :raises InputError: the path cannot be opened at all.
    """
    feedback = feedback or NullFeedback()
    out: list[LayerReport] = []
    with open_source(path, read_options) as src:
        for layer in src.layers:
            report = Report()
            report.extend(layer.issues)
            scan = scan_geometries(layer)
            stream = LayerStream(layer, NormaliseOptions(), scan, feedback, report)
            for _ in stream.batches():
                pass
            mismatch = layer.count_issue(stream.stats.count)
            if mismatch is not None:
                report.add(mismatch)
            if not (read_options and read_options.accept_loss):
                _losses_are_errors(report, stream.stats.count < layer.feature_count)
            guess = layer.encoding_guess
            out.append(
                LayerReport(
                    name=layer.name,
                    display=layer.display,
                    driver=layer.driver,
                    declared_geometry_type=layer.geometry_type,
                    geometry_types=dict(scan.counts),
                    feature_count=layer.feature_count,
                    crs=crs_code(layer.crs),
                    crs_label=label(layer.crs),
                    crs_how=layer.crs_how,
                    encoding=guess.encoding if guess else None,
                    encoding_how=guess.how if guess else None,
                    fields=layer.fields,
                    bounds=list(layer.bounds) if layer.bounds else None,
                    report=report,
                    bounds_unit=_unit(layer),
                )
            )
        return out, src.issues


#: what ``convert`` refuses as a loss (unless ``--accept-loss``): inspect says so with the same severity
LOSSES = frozenset({"GEOM_UNREADABLE", "FIELD_NOT_A_NUMBER"})
#: GDAL's words when it drops a CSV value that does not fit the column type it guessed
DROPPED_VALUE = "Invalid value type found"


def _losses_are_errors(report: Report, fewer: bool) -> None:
    """Warnings about data that would not reach the outputs, as errors: inspect explains what convert refuses."""
    from dataclasses import replace

    report.issues = [
        replace(i, severity=Severity.ERROR)
        if i.code in LOSSES
        or (fewer and i.code == "FEATURE_COUNT_MISMATCH")
        or (i.code == "GDAL_WARNING" and DROPPED_VALUE in i.message)
        else i
        for i in report.issues
    ]


def _unit(layer: LayerSource) -> str | None:
    """The unit of the layer's coordinates ("degree", "metre"), so that extents are printed with fitting decimals."""
    axes = layer.crs.axis_info if layer.crs is not None else []
    return axes[0].unit_name if axes else None

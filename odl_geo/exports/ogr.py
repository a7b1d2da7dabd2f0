"""Writing a normalised stream through GDAL (``pyogrio.write_arrow``): GeoPackage, GeoJSON, KML, FlatGeobuf.

GDAL writes the whole stream in one call, so the file is opened once and memory stays one batch deep.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pyarrow as pa
import pyogrio
from pyogrio.errors import DataSourceError, FieldError, GeometryError

from ..crs import crs_code, identify
from ..errors import OutputError
from ..memory import release_free_memory
from ..normalise.gdal_thread import GdalWarnings
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from ..report import Issue, Severity
from .base import OutputFile, WriteContext

if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterator
    from pathlib import Path

__all__ = ["write_stream", "write_warning"]


def write_stream(
    stream: LayerStream,
    path: Path,
    driver: str,
    ctx: WriteContext,
    *,
    fmt: str,
    layer_name: str | None = None,
    append: bool = False,
    layer_options: dict[str, str] | None = None,
    dataset_options: dict[str, str] | None = None,
    rename: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None,
    counted: re.Pattern[str] | None = None,
    observe: Callable[[pa.RecordBatch], None] | None = None,
    batches: Iterator[pa.RecordBatch] | None = None,
) -> OutputFile | None:
    """Stream ``stream`` into ``path``; returns None when the layer had no row to write.

    :param rename: applied to every batch before GDAL sees it (Shapefile field names).
    :param counted: GDAL warnings the caller counts and reports itself (GDAL says them once per layer).
    :param observe: called with every batch GDAL is given, in order (the GeoPackage's spatial index).
    :param batches: the stream's batches when the caller has already started it (``stream.batches()``).
    """
    reader = stream.reader() if batches is None else _reader(batches)
    if reader is None:
        return None
    if rename is not None:
        first = rename(reader.read_next_batch())
        reader = pa.RecordBatchReader.from_batches(first.schema, _chain(first, reader, rename))
    crs = stream.options.target_crs or stream.layer.crs
    has_geom = GEOMETRY_COLUMN in reader.schema.names
    # what stopped the stream GDAL pulls from (Ctrl-C, a cancel, bad input found while normalising) reaches GDAL
    # as "Error while accessing batch from stream": raised again as it was, it keeps its own exit code
    stopped: list[BaseException] = []
    reader = pa.RecordBatchReader.from_batches(reader.schema, _watched(reader, stopped, observe))
    # GDAL's writer runs in this thread; the batches it pulls are normalised here too, within own_code()
    with GdalWarnings(this_thread=True) as caught:
        try:
            pyogrio.write_arrow(
                reader,
                path,
                layer=layer_name,
                driver=driver,
                append=append,
                geometry_name=GEOMETRY_COLUMN if has_geom else None,
                geometry_type=stream.output_geometry_type if has_geom else None,
                crs=crs_code(crs) if has_geom else None,
                layer_options=layer_options or {},
                dataset_options=dataset_options or {},
            )
        except (DataSourceError, FieldError, GeometryError, OSError, RuntimeError) as exc:
            if stopped:
                raise stopped[0] from None
            raise OutputError(
                f"Writing {path.name} ({fmt}) failed: {exc}",
                "Check free disk space and write permission on the output folder.",
                message_fr=f"L'écriture de {path.name} ({fmt}) a échoué : {exc}",
                hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie.",
            ) from exc
    for message in caught.messages:
        if counted is not None and counted.search(message):
            continue
        ctx.report.add(write_warning(fmt, message, stream.layer.name))
    return OutputFile(
        path=path.name,
        format=fmt,
        layer=layer_name or stream.layer.name,
        crs=crs_code(crs) if has_geom else None,
        feature_count=stream.stats.count,
        geometry_type=stream.output_geometry_type,
        bbox=stream.stats.bbox,
        bbox_wgs84=wgs84_bbox(stream.stats.bbox, crs) if has_geom else None,
    )


def _watched(
    reader: pa.RecordBatchReader,
    stopped: list[BaseException],
    observe: Callable[[pa.RecordBatch], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    try:
        for batch in reader:
            if observe is not None:
                observe(batch)
            yield batch
    except BaseException as exc:
        stopped.append(exc)
        raise
    # the stream's working memory back to the system before GDAL builds a GeoPackage's spatial index, which needs
    # memory of its own (issue 16: peak RSS at most 300 MB for 5M points)
    release_free_memory()


def _reader(batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader | None:
    first = next(batches, None)
    if first is None:
        return None
    return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], batches))


def _chain(
    first: pa.RecordBatch, reader: pa.RecordBatchReader, rename: Callable[[pa.RecordBatch], pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    yield first
    for batch in reader:
        yield rename(batch)


def wgs84_bbox(bbox: list[float] | None, crs: object) -> list[float] | None:
    """The bbox in lon/lat (for catalogues), transformed densely enough to contain curved edges."""
    if bbox is None or crs is None:
        return None
    from pyproj import CRS, Transformer

    src = crs if isinstance(crs, CRS) else identify(str(crs))
    if src.equals(CRS.from_epsg(4326)):
        return [round(v, 7) for v in bbox]
    t = Transformer.from_crs(src, 4326, always_xy=True)
    return [round(v, 7) for v in t.transform_bounds(bbox[0], bbox[1], bbox[2], bbox[3], densify_pts=21)]


def write_warning(fmt: str, message: str, layer: str) -> Issue:
    """GDAL's warning while a format was written: its own words kept as they are (English), after French ones."""
    return Issue(
        "WRITE_WARNING",
        Severity.WARNING,
        f"{fmt}: {message}",
        layer=layer,
        message_fr=f"Avertissement de GDAL à l'écriture ({fmt}) : {message}",
    )

"""The theme products written chunk by chunk: ``Profile.open_products`` of water, PEI and hiking.

``convert --theme`` streams a layer (issue 16): each chunk goes to the products as it comes, so memory stays one
chunk deep (its text is encoded :data:`BATCH` features at a time, :mod:`.product_text`). Building a Python dict per
feature and a list per CSV row cost 7 s of a 19 s water run on 100 000 points; column-wise, about 0.4 s.
``write_products`` goes through the same writer (the whole layer as one chunk), so the files are the same bytes
however the layer is cut (``tests/unit/test_product_sinks.py``: bundled samples and fuzzed frames, against a copy
of the old per-feature writers).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pyarrow as pa
import shapely

from ..errors import OutputError
from ..exports.base import OutputFile
from ..naming import safe_file_stem
from .base import ProductSink
from .product_numbers import PRECISION
from .product_text import (
    Shared,
    TableTexts,
    csv_header,
    csv_join,
    csv_lines,
    csv_text,
    csv_texts,
    feature_texts,
    geometry_mapping,
    json_value,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import geopandas as gpd

    from .base import TargetField, ThemeDataset

__all__ = [
    "PRECISION",
    "ROUNDED_LINES",
    "VALIDATED_TEXTS",
    "CsvProduct",
    "Extent",
    "GeoJSONProduct",
    "ProductFile",
    "StreamedProducts",
    "csv_text",
    "csv_texts",
    "geometry_mapping",
    "json_value",
    "write_whole",
]

#: ``ThemeDataset.notes[role]`` key of the CSV text a streamed chunk's validation built for the role's frame as it
#: stands (:class:`.validation.ValidatedTexts`): the CSV product takes its cells instead of building them again
VALIDATED_TEXTS = "validation.csv_texts"
#: ``ThemeDataset.notes[role]`` key of the lines a streamed chunk's validation rounded to the grid: ``(frame,
#: rounded)``, one per feature of that frame (None where it rounded none); the GeoJSON product takes them
ROUNDED_LINES = "validation.rounded_lines"
BATCH = 10_000  # features encoded at a time: bounds the text held in memory, whatever the chunk
#: coordinates encoded at a time by a sink (lines: about 1,000 trails of 30 vertices, whose texts with their
#: properties' were the peak of a hiking run, ~10 MB held three or four times while a batch is joined)
BATCH_COORDS = 30_000


def _write_texts(fh: BinaryIO, texts: pa.Array, skip: int = 0) -> None:
    """The UTF-8 bytes of ``texts`` one after the other (Arrow's data buffer as it is), the first ``skip`` left out."""
    if len(texts) == 0:
        return
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset : texts.offset + len(texts) + 1]
    data = texts.buffers()[2]
    assert data is not None
    fh.write(memoryview(data)[int(offsets[0]) + skip : int(offsets[-1])])


# -- files and sinks -------------------------------------------------------------------------------------------


class Extent:
    """Feature count and bounds of a layer seen chunk by chunk: the :class:`OutputFile` of the whole layer."""

    def __init__(self) -> None:
        self.count = 0
        self.located = 0  # features with a geometry (maybe empty)
        self.bounds = np.full(4, np.nan)

    def add(self, frame: gpd.GeoDataFrame) -> None:
        self.count += len(frame)
        geoms = np.asarray(frame.geometry.values, dtype=object)
        geoms = geoms[~shapely.is_missing(geoms)]
        if not len(geoms):
            return
        self.located += len(geoms)
        b = shapely.bounds(geoms)
        with np.errstate(all="ignore"):
            lo = np.fmin.reduce(b[:, :2], axis=0)
            hi = np.fmax.reduce(b[:, 2:], axis=0)
        self.bounds = np.concatenate([np.fmin(self.bounds[:2], lo), np.fmax(self.bounds[2:], hi)])

    def output_file(self, path: Path, fmt: str, layer: str, crs: str | None, geometry_type: str | None) -> OutputFile:
        bbox = [round(float(v), 7) for v in self.bounds] if self.located and crs else None
        return OutputFile(
            path=path.name,
            format=fmt,
            layer=layer,
            crs=crs,
            feature_count=self.count,
            geometry_type=geometry_type,
            bbox=bbox,
        )


class ProductFile(ABC):
    """One product file of a layer, written a chunk at a time."""

    extension: str
    format: str
    geometry_type: str | None = None
    head = b""  # what comes before the features
    tail = b""  # what comes after them

    def open(self, path: Path) -> None:
        self.path = path
        with self._guard():
            self.fh: BinaryIO = path.open("wb")
            self.fh.write(self.head)

    def write(self, frame: gpd.GeoDataFrame, shared: Shared | None = None) -> None:
        """Append the features of ``frame``, :data:`BATCH` at a time (``shared``: of a frame of one batch)."""
        with self._guard():
            if shared is not None and len(frame) <= BATCH:
                self.append(frame, shared)
                return
            for start in range(0, len(frame), BATCH):
                part = frame.iloc[start : start + BATCH] if len(frame) > BATCH else frame
                self.append(part, Shared(part))

    def close(self) -> None:
        try:
            with self._guard():
                self.fh.write(self.tail)
        finally:
            self.fh.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise OutputError(
                f"Cannot write {self.path}: {exc.strerror}.",
                "Check the output folder.",
                message_fr=f"Impossible d'écrire {self.path} : {exc.strerror}.",
                hint_fr="Vérifiez le dossier de sortie.",
            ) from exc

    @abstractmethod
    def append(self, frame: gpd.GeoDataFrame, shared: Shared) -> None:
        """Write the features of ``frame`` (at most :data:`BATCH`; ``shared``: what other products found in it)."""


class GeoJSONProduct(ProductFile):
    """A GeoJSON FeatureCollection (frame in WGS 84) with the fields in schema order, nulls kept.

    Except for optional enumerations: a JSON Schema ``enum`` without ``null`` (as in itineraire-randonnee) refuses
    ``null`` even when the type allows it, so an empty optional enumeration is left out of the properties.
    """

    extension = "geojson"
    format = "geojson"
    head = b'{"type":"FeatureCollection","features":['
    tail = b"]}\n"

    def __init__(self, fields: list[TargetField], geometry_type: str | None) -> None:
        self.fields, self.geometry_type = fields, geometry_type
        self.first = True

    def append(self, frame: gpd.GeoDataFrame, shared: Shared) -> None:
        if not len(frame):
            return
        texts = feature_texts(frame, self.fields, shared, lead=",")  # the file's first feature: no comma
        _write_texts(self.fh, texts, skip=1 if self.first else 0)
        self.first = False


class CsvProduct(ProductFile):
    """A UTF-8 CSV: the schema fields in order, then the ``extra`` columns (coordinates) computed per chunk."""

    extension = "csv"
    format = "csv"

    def __init__(
        self,
        fields: list[TargetField],
        extra: Callable[[gpd.GeoDataFrame], dict[str, np.ndarray]] | None = None,
        extra_names: tuple[str, ...] = (),
        true_false: tuple[str, str] = ("true", "false"),
    ) -> None:
        self.fields, self.extra, self.true_false = fields, extra, true_false
        names = [f.name for f in fields]
        self.header = names + [n for n in extra_names if n not in names]
        self.head = csv_header(self.header)

    def append(self, frame: gpd.GeoDataFrame, shared: Shared) -> None:
        cells = shared.csv_cells(self.header)  # the text the validation of these rows built, when it did
        if cells is not None:
            _write_texts(self.fh, csv_join(cells, len(frame)))
            return
        extra = self.extra(frame) if self.extra is not None else {}
        _write_texts(self.fh, csv_lines(frame, self.fields, extra, self.true_false, shared))


class StreamedProducts(ProductSink):
    """The products of a single-layer theme, written as the chunks come (memory: one chunk).

    The files are named after the layer's product name (known with the first chunk): ``<layer>_<suffix>.<ext>``.
    """

    def __init__(self, out_dir: Path, suffix: str, crs: str, files: list[ProductFile], role: str = "main") -> None:
        self.out_dir, self.suffix, self.crs, self.files, self.role = out_dir, suffix, crs, files, role
        self.extent = Extent()
        self.layer: str | None = None

    def write(self, chunk: ThemeDataset) -> None:
        frame = chunk.frames[self.role]
        if self.layer is None:
            self.layer = chunk.product_name(self.role)
            stem = f"{safe_file_stem(self.layer)}_{self.suffix}"  # products.product_stem
            for f in self.files:
                f.open(self.out_dir / f"{stem}.{f.extension}")
        # the CSV text the chunk's validation built, if it validated this very frame (taken: not held further)
        validated: TableTexts | None = chunk.notes.get(self.role, {}).pop(VALIDATED_TEXTS, None)  # type: ignore[assignment]
        if validated is not None and validated.frame is not frame:
            validated = None
        lines = chunk.notes.get(self.role, {}).pop(ROUNDED_LINES, None)  # (frame, each feature's rounded line)
        rounded = lines[1] if isinstance(lines, tuple) and lines[0] is frame and len(lines[1]) == len(frame) else None
        for start, stop in _batches(frame):  # each batch encoded once for all the files
            part = frame.iloc[start:stop] if stop - start < len(frame) else frame
            shared = Shared(part)
            if validated is not None:
                shared.validated = (validated, start, stop)
            if rounded is not None:
                shared.rounded = rounded[start:stop]
            for f in self.files:
                f.write(part, shared)
        self.extent.add(frame)

    def close(self) -> list[OutputFile]:
        if self.layer is None:  # no chunk at all: nothing to name the files after
            return []
        for f in self.files:
            f.close()
        return [self.extent.output_file(f.path, f.format, self.layer, self.crs, f.geometry_type) for f in self.files]


def _batches(frame: gpd.GeoDataFrame) -> Iterator[tuple[int, int]]:
    """(start, stop) of the frame's batches: at most :data:`BATCH` features and :data:`BATCH_COORDS` coordinates
    (at least one feature)."""
    n = len(frame)
    column = getattr(frame, "_geometry_column_name", None)
    geoms = np.asarray(frame[column].values, dtype=object) if n and column in frame.columns else None
    if geoms is None or n <= 1:
        yield from ((start, min(start + BATCH, n)) for start in range(0, n, BATCH))
        return
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    start = 0
    while start < n:
        before = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, before + BATCH_COORDS, side="right"))
        stop = min(max(stop, start + 1), start + BATCH)
        yield start, stop
        start = stop


def write_whole(sink: ProductSink, dataset: ThemeDataset) -> list[OutputFile]:
    """``write_products`` of a streamed profile: the whole layer as one chunk, through the same writer."""
    sink.write(dataset)
    return sink.close()

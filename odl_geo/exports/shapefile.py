"""Zipped ESRI Shapefile: UTF-8 with a .cpg, EPSG:2154, 10-byte field names with a mapping table.

dBase text fields hold at most 254 bytes: GDAL cuts longer values (at a character boundary) and says so once
per layer; this writer counts every value cut, per field, and reports them (``SHP_TEXT_TRUNCATED``).

A Shapefile holds one geometry family; a layer mixing points, lines and polygons (non-conformant files,
KML, GeometryCollections) is split into one Shapefile per family inside the same zip, so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ..csvsafe import neutralise_csv_row
from ..naming import safe_file_stem
from ..normalise.fields import truncate_names
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from ..numbers import count_text
from ..report import Issue, Severity
from .base import OutputFile, WriteContext, Writer
from .ogr import write_stream

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["ShapefileWriter"]

FAMILY_SUFFIX = {"point": "points", "line": "lines", "polygon": "polygons"}
#: bytes a dBase text value can hold
MAX_TEXT_BYTES = 254
#: GDAL's own (once per layer) message for a value cut to 254 bytes, replaced by SHP_TEXT_TRUNCATED
GDAL_TRUNCATION = re.compile(r"has been truncated to \d+ characters")


class ShapefileWriter(Writer):
    key, label, extension, target_epsg = "shp", "Shapefile (zipped)", ".shp.zip", 2154

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        stem = safe_file_stem(layer.name)
        folder = ctx.staging / f".{stem}.shp.parts"
        folder.mkdir()
        families = sorted(scan.families - {"collection"}) or (["polygon"] if "collection" in scan.families else [])
        if "collection" in scan.families:
            families = sorted(set(families) | _collection_families())
        split = len(families) > 1
        if split:
            ctx.report.add(
                Issue(
                    "SHP_SPLIT_BY_TYPE",
                    Severity.WARNING,
                    f"A Shapefile holds one geometry type; the layer mixes {', '.join(families)}, so the "
                    "zip holds one Shapefile per type.",
                    layer=layer.name,
                    message_fr="Un Shapefile ne contient qu'un type de géométrie ; la couche mélange "
                    f"{_mixed_fr(families)}, le zip contient donc un Shapefile par type.",
                )
            )
        written: list[OutputFile] = []
        mapping: dict[str, str] = {}
        cut: dict[str, int] = {}  # source field -> values longer than MAX_TEXT_BYTES
        # no family seen (a table, or a layer whose geometries are all null): still one Shapefile, so that
        # the attributes are published like in every other format instead of silently missing from the zip
        targets: list[str | None] = [*families] if layer.has_geometry and families else [None]
        for family in targets:
            opts = replace(self.options_for(ctx, layer), family=family if split else None)
            stream = LayerStream(layer, opts, scan, ctx.feedback, ctx.report)
            name = f"{stem}_{FAMILY_SUFFIX[family]}" if split and family else stem
            out = write_stream(
                stream,
                folder / f"{name}.shp",
                "ESRI Shapefile",
                ctx,
                fmt=self.key,
                layer_name=name,
                # the .dbf header holds a "last update" date: the source's, not today's (same input, same bytes)
                layer_options={"ENCODING": "UTF-8", "DBF_DATE_LAST_UPDATE": ctx.gdal_date[:10]},
                rename=_truncator(stream, mapping, cut),
                counted=GDAL_TRUNCATION,
            )
            if out is not None:
                written.append(out)
        if not written:
            shutil.rmtree(folder)
            return []
        if any(k != v for k, v in mapping.items()):
            ctx.report.add(
                Issue(
                    "SHP_FIELDS_TRUNCATED",
                    Severity.INFO,
                    "Shapefile field names are limited to 10 characters: "
                    + ", ".join(f"{k} -> {v}" for k, v in mapping.items() if k != v),
                    "The zip holds fields.csv with the full mapping.",
                    layer=layer.name,
                    message_fr="Les noms de champs d'un Shapefile sont limités à 10 caractères : "
                    + ", ".join(f"{k} -> {v}" for k, v in mapping.items() if k != v),
                    hint_fr="Le zip contient fields.csv avec la correspondance complète.",
                )
            )
        if cut:
            ctx.report.add(
                Issue(
                    "SHP_TEXT_TRUNCATED",
                    Severity.WARNING,
                    f"Shapefile text values hold at most {MAX_TEXT_BYTES} bytes; longer ones were cut: "
                    + ", ".join(f"{name} ({n})" for name, n in cut.items()),
                    "Use the GeoPackage or GeoJSON output to keep the full text.",
                    layer=layer.name,
                    message_fr=f"Les textes d'un Shapefile tiennent en {MAX_TEXT_BYTES} octets au plus ; les plus "
                    "longs ont été coupés : " + ", ".join(f"{name} ({count_text(n)})" for name, n in cut.items()),
                    hint_fr="Utilisez la sortie GeoPackage ou GeoJSON pour garder le texte entier.",
                    count=sum(cut.values()),
                )
            )
        zip_path = ctx.staging / f"{stem}{self.extension}"
        _zip_folder(folder, zip_path, mapping, ctx.gdal_date)
        shutil.rmtree(folder)
        first = written[0]
        return [
            OutputFile(
                path=zip_path.name,
                format=self.key,
                layer=layer.name,
                crs=first.crs,
                feature_count=sum(w.feature_count for w in written),
                geometry_type=first.geometry_type if len(written) == 1 else "Mixed (one Shapefile per type)",
                bbox=_union([w.bbox for w in written]),
                bbox_wgs84=_union([w.bbox_wgs84 for w in written]),
                field_mapping={k: v for k, v in mapping.items() if k != v},
            )
        ]


#: the geometry families in French (a split layer's note)
FAMILY_FR = {"point": "points", "line": "lignes", "polygon": "polygones"}


def _mixed_fr(families: list[str]) -> str:
    """``["line", "point"]`` said in French: « lignes et points »."""
    words = [FAMILY_FR.get(f, f) for f in families]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} et {words[-1]}"


def _collection_families() -> set[str]:
    return {"point", "line", "polygon"}


def _truncator(
    stream: LayerStream, mapping: dict[str, str], cut: dict[str, int]
) -> Callable[[pa.RecordBatch], pa.RecordBatch]:
    """Per batch: 10-byte field names (filling ``mapping``), and the count of too long text values (``cut``)."""
    names: dict[str, str] = {}
    back: dict[str, str] = {}

    def rename(batch: pa.RecordBatch) -> pa.RecordBatch:
        if not names:
            attrs = [n for n in batch.schema.names if n != GEOMETRY_COLUMN]
            names.update(truncate_names(attrs, 10))
            back.update({clean: orig for orig, clean in stream.renames.items()})
            for clean, short in names.items():
                mapping[back.get(clean, clean)] = short
        for name, col in zip(batch.schema.names, batch.columns, strict=True):
            if name != GEOMETRY_COLUMN and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
                n = pc.sum(pc.greater(pc.binary_length(col), MAX_TEXT_BYTES)).as_py() or 0
                if n:
                    source = back.get(name, name)
                    cut[source] = cut.get(source, 0) + n
        return batch.rename_columns([names.get(n, n) for n in batch.schema.names])

    return rename


def _union(boxes: list[list[float] | None]) -> list[float] | None:
    real = [b for b in boxes if b]
    if not real:
        return None
    return [min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real)]


def _zip_folder(folder: object, zip_path: object, mapping: dict[str, str], gdal_date: str) -> None:
    """Deterministic zip (fixed timestamps, sorted names) so that same input gives same bytes."""
    from pathlib import Path

    stamp = datetime.fromisoformat(gdal_date).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(Path(str(zip_path)), "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(Path(str(folder)).iterdir()):
            info = zipfile.ZipInfo(part.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with part.open("rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        if any(k != v for k, v in mapping.items()):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["source_field", "shapefile_field"])
            w.writerows(neutralise_csv_row(pair) for pair in sorted(mapping.items()))  # see odl_geo.csvsafe
            info = zipfile.ZipInfo("fields.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue().encode("utf-8"))

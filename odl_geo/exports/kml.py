"""KML for Google Earth and phones (WGS84); layers without geometry are not written.

The file is streamed with lxml's incremental writer (``etree.xmlfile``): one Placemark per feature, written as the
normalised batches come, so memory stays one batch deep whatever the layer size. GDAL's LIBKML driver builds the
whole document in memory before writing it (1M points peaked at 3.95 GB, where GeoJSON took 219 MB; see
docs/performance.md). Every name and value goes through lxml, which escapes it for XML (a field named ``a&b`` or
``<x "y">`` stays well-formed); characters XML 1.0 cannot carry at all (control characters) are replaced by U+FFFD
and counted.

The layout is the one LIBKML wrote, so that GDAL, QGIS and Google Earth read it the same way: a typed ``Schema``,
one ``Document`` per layer, ``ExtendedData/SchemaData`` per Placemark; the fields ``Name`` and ``description`` (as
GDAL names them when it reads a KML) become the Placemark's ``name`` and ``description``. Coordinates keep
``--precision`` decimals like GeoJSON's.

Polygons are always written repaired, even with ``--no-repair``: KML viewers draw invalid polygons wrongly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from lxml import etree

from ..errors import OutputError
from ..naming import safe_file_stem
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from ..report import Issue, Severity
from .base import OutputFile, WriteContext, Writer
from .ogr import wgs84_bbox

if TYPE_CHECKING:
    from pathlib import Path

    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["KMLWriter"]

KML_NS = "http://www.opengis.net/kml/2.2"
NSMAP = {None: KML_NS}
#: fields GDAL reads from a Placemark's <name> and <description> (its NameField / DescriptionField defaults)
NAME_FIELD, DESCRIPTION_FIELD = "Name", "description"
#: what XML 1.0 cannot hold, even escaped: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: the same for Arrow's RE2 (valid UTF-8 holds no surrogate)
_NOT_XML_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"


class KMLWriter(Writer):
    key, label, extension, target_epsg, typed, writes_tables = "kml", "KML", ".kml", 4326, False, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        options = self.options_for(ctx, layer)
        if not options.repair and scan.families & {"polygon", "collection"}:
            ctx.report.add(
                Issue(
                    "KML_REPAIRED",
                    Severity.INFO,
                    f"{path.name}: KML cannot hold invalid polygons, so they were repaired in the KML file only "
                    "(--no-repair still applies to the other formats).",
                    layer=layer.name,
                    message_fr=f"{path.name} : le KML ne peut pas contenir de polygones invalides ; ils ont été "
                    "réparés dans le fichier KML seulement (--no-repair s'applique toujours aux autres formats).",
                )
            )
            options = replace(options, repair=True)
        stream = LayerStream(layer, options, scan, ctx.feedback, ctx.report)
        try:
            written = _write(stream, path, layer.name, ctx.geojson_precision)
        except (OSError, etree.LxmlError) as exc:
            raise OutputError(
                f"Writing {path.name} (kml) failed: {exc}",
                "Check free disk space and write permission on the output folder.",
                message_fr=f"L'écriture de {path.name} (kml) a échoué : {exc}",
                hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie.",
            ) from exc
        if written is None:
            return []
        if written.replaced:
            ctx.report.add(
                Issue(
                    "KML_CHARACTERS_REPLACED",
                    Severity.WARNING,
                    f"{path.name}: values held control characters XML cannot carry; they were replaced by '\ufffd' "
                    "in the KML only.",
                    "Check these values in the source (they often come from a copy-paste).",
                    layer=layer.name,
                    message_fr=f"{path.name} : des valeurs contenaient des caractères de contrôle que le XML ne peut "
                    "pas porter ; ils ont été remplacés par '\ufffd' dans le KML seulement.",
                    hint_fr="Vérifiez ces valeurs dans la source (elles viennent souvent d'un copier-coller).",
                    count=written.replaced,
                )
            )
        return [
            OutputFile(
                path=path.name,
                format=self.key,
                layer=layer.name,
                crs="EPSG:4326",
                feature_count=stream.stats.count,
                geometry_type=stream.output_geometry_type,
                bbox=stream.stats.bbox,
                bbox_wgs84=wgs84_bbox(stream.stats.bbox, "EPSG:4326"),
            )
        ]


class _Written:
    def __init__(self) -> None:
        self.replaced = 0  # values whose characters XML cannot carry were replaced


def _write(stream: LayerStream, path: Path, layer_name: str, digits: int) -> _Written | None:
    """Stream the layer's batches into ``path``; None (and no file) when the layer yields no row."""
    batches = stream.batches()
    first = next(batches, None)
    if first is None:
        return None
    fields = [f for f in first.schema if f.name != GEOMETRY_COLUMN]
    doc_id = _xml_id(layer_name)
    schema_id = f"{doc_id}.schema"
    extended = [f for f in fields if f.name not in (NAME_FIELD, DESCRIPTION_FIELD)]
    state = _Written()
    number = 0
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        # the root declares KML's namespace as the default one: every element below is written unprefixed in it
        with xf.element(f"{{{KML_NS}}}kml", nsmap=NSMAP), xf.element(_k("Document"), id="root_doc"):
            if extended:
                schema = etree.Element(_k("Schema"), id=schema_id)
                for f in extended:
                    etree.SubElement(schema, _k("SimpleField"), name=_text(f.name, state), type=_kml_type(f.type))
                xf.write(schema)
            with xf.element(_k("Document"), id=doc_id):
                name = etree.Element(_k("name"))
                name.text = _text(layer_name, state)
                xf.write(name)
                for batch in _chain(first, batches):
                    for placemark in _placemarks(batch, extended, schema_id, doc_id, number, digits, state):
                        xf.write(placemark)
                        xf.write("\n")
                    number += batch.num_rows
    return state


def _chain(first: pa.RecordBatch, rest: Any) -> Any:
    yield first
    yield from rest


def _placemarks(
    batch: pa.RecordBatch,
    extended: list[pa.Field],
    schema_id: str,
    doc_id: str,
    start: int,
    digits: int,
    state: _Written,
) -> Any:
    """One Placemark element per row of ``batch`` (built, yielded, then dropped: the writer keeps none).

    Values and coordinates are turned into text a whole batch at a time (Arrow and numpy), the loop only
    assembles elements.
    """
    names = batch.schema.names
    columns = [(_text(f.name, state), _strings(batch.column(names.index(f.name)), f.type, state)) for f in extended]
    title = _column_text(batch, NAME_FIELD, state)
    about = _column_text(batch, DESCRIPTION_FIELD, state)
    if GEOMETRY_COLUMN in names:
        geoms = shapely.from_wkb(batch.column(names.index(GEOMETRY_COLUMN)).to_numpy(zero_copy_only=False))
        coords = _Coordinates(geoms, digits)
    else:
        geoms, coords = np.full(batch.num_rows, None, dtype=object), None
    schema_url = f"#{schema_id}"
    element, sub = etree.Element, etree.SubElement
    for i in range(batch.num_rows):
        pm = element("Placemark", id=f"{doc_id}.{start + i + 1}")
        label = title[i] if title is not None else None
        if label is not None:
            sub(pm, "name").text = label
        text = about[i] if about is not None else None
        if text is not None:
            sub(pm, "description").text = text
        if columns:
            data = sub(sub(pm, "ExtendedData"), "SchemaData", schemaUrl=schema_url)
            for name, values in columns:
                value = values[i]
                if value is not None:
                    sub(data, "SimpleData", name=name).text = value
        if coords is not None:
            coords.geometry_at(pm, i, geoms[i])
        yield pm


def _column_text(batch: pa.RecordBatch, name: str, state: _Written) -> list[str | None] | None:
    """The values of column ``name`` as text (whatever its type), or None when the batch has no such column."""
    if name not in batch.schema.names:
        return None
    i = batch.schema.get_field_index(name)
    return _strings(batch.column(i), batch.schema.field(i).type, state)


class _Coordinates:
    """The coordinates of a batch of geometries as KML text, formatted at once, then taken geometry by geometry.

    ``shapely.get_coordinates`` lists them depth first (parts in order, a polygon's exterior then its holes),
    which is the order :meth:`geometry` walks them in.
    """

    def __init__(self, geoms: np.ndarray, digits: int) -> None:
        with_z = bool(shapely.has_z(geoms[~shapely.is_missing(geoms)]).any())
        xyz = shapely.get_coordinates(geoms, include_z=with_z)
        if with_z:
            xyz[:, 2] = np.where(np.isnan(xyz[:, 2]), 0.0, xyz[:, 2])  # a 2D part among 3D ones: altitude 0
        self.rows: list[str] = []
        if len(xyz):  # (a batch of features without geometry has no coordinate)
            text = np.char.mod(f"%.{digits}f", np.round(xyz, digits) + 0.0)  # + 0.0: no "-0"
            if digits > 0:
                text = np.char.rstrip(np.char.rstrip(text, "0"), ".")
            self.rows = [",".join(r) for r in text.tolist()]
        self.at = 0
        self.types = shapely.get_type_id(geoms).tolist()
        self.counts = shapely.get_num_coordinates(geoms).tolist()

    def geometry_at(self, parent: etree._Element, i: int, geom: Any) -> None:
        """Row ``i``'s geometry (``geom``) into ``parent``; points and lines without any shapely call."""
        kind = self.types[i]
        if kind == 0 or kind in (1, 2):
            tag = "Point" if kind == 0 else "LineString"
            etree.SubElement(etree.SubElement(parent, tag), "coordinates").text = self.take(self.counts[i])
        elif kind >= 0:
            self.geometry(parent, geom)

    def take(self, n: int) -> str:
        part = self.rows[self.at : self.at + n]
        self.at += n
        return " ".join(part)

    def geometry(self, parent: etree._Element, geom: Any) -> None:
        kind = shapely.get_type_id(geom)
        sub = etree.SubElement
        if kind == 0:  # Point
            sub(sub(parent, "Point"), "coordinates").text = self.take(shapely.get_num_coordinates(geom))
        elif kind in (1, 2):  # LineString, LinearRing
            sub(sub(parent, "LineString"), "coordinates").text = self.take(shapely.get_num_coordinates(geom))
        elif kind == 3:  # Polygon
            poly = sub(parent, "Polygon")
            outer = sub(sub(poly, "outerBoundaryIs"), "LinearRing")
            sub(outer, "coordinates").text = self.take(shapely.get_num_coordinates(geom.exterior))
            for ring in geom.interiors:
                inner = sub(sub(poly, "innerBoundaryIs"), "LinearRing")
                sub(inner, "coordinates").text = self.take(shapely.get_num_coordinates(ring))
        else:  # Multi* and GeometryCollection
            multi = sub(parent, "MultiGeometry")
            for part in shapely.get_parts(geom):
                if part.is_empty:
                    self.take(shapely.get_num_coordinates(part))
                else:
                    self.geometry(multi, part)


def _strings(col: pa.Array | pa.ChunkedArray, kind: pa.DataType, state: _Written) -> list[str | None]:
    """A column's values as the text KML carries (None for a null, and for NaN: KML has no NaN).

    Text that XML cannot carry (control characters, invalid UTF-8) is cleaned for the whole column at once.
    """
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        col = _valid_utf8(col, state)
        bad = pc.match_substring_regex(col, _NOT_XML_RE2)
        n_bad = pc.sum(bad).as_py() or 0
        if n_bad:
            state.replaced += n_bad
            col = pc.replace_substring_regex(col, _NOT_XML_RE2, "\ufffd")
        return col.to_pylist()
    values = col.to_pylist()
    if pa.types.is_boolean(kind):
        return [None if v is None else ("1" if v else "0") for v in values]
    if pa.types.is_integer(kind):
        return [None if v is None else str(v) for v in values]
    if pa.types.is_floating(kind):
        return [None if v is None or math.isnan(v) else repr(float(v)) for v in values]
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return [None if v is None else v.hex() for v in values]
    out: list[str | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif isinstance(v, dt.datetime | dt.date | dt.time):
            out.append(v.isoformat())
        else:
            out.append(_text(str(v), state))
    return out


def _valid_utf8(col: pa.Array | pa.ChunkedArray, state: _Written) -> pa.Array | pa.ChunkedArray:
    """The column, or a copy whose invalid UTF-8 (text cut in the middle of a character) is replaced by U+FFFD.

    GDAL passes a source's bytes through; XML (and Python's strings) need valid UTF-8.
    """
    try:
        col.validate(full=True)
        return col
    except pa.ArrowInvalid:
        pass
    values: list[str | None] = []
    for raw in col.cast(pa.binary()).to_pylist():
        if raw is None:
            values.append(None)
            continue
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(raw.decode("utf-8", errors="replace"))
            state.replaced += 1
    return pa.array(values, type=pa.string())


def _kml_type(kind: pa.DataType) -> str:
    """The KML SimpleField type GDAL reads back as the same kind of field."""
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_floating(kind):
        return "double"
    return "string"


def _text(value: str, state: _Written) -> str:
    """``value`` as XML can hold it (lxml escapes ``& < > "``; it refuses control characters, replaced here)."""
    clean, n = _NOT_XML.subn("\ufffd", value)
    if n:
        state.replaced += 1
    return clean


def _xml_id(name: str) -> str:
    """An XML ID (NCName) for a layer's Document and Schema: its safe file stem, never starting with a digit."""
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", safe_file_stem(name)) or "layer"
    return stem if re.match(r"[A-Za-z_]", stem) else f"_{stem}"


def _k(tag: str) -> str:
    """A KML element name: unqualified, since it is serialised inside the root's default (KML) namespace."""
    return tag

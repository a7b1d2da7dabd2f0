"""Writing a theme's products and checking them with the *official* validators.

Conformance is decided by the tools the national portals use (``jsonschema`` for JSON Schemas, ``frictionless``
for Table Schemas), run on the very text odl-geo writes, never by odl-geo's own reading of the schema. Their
findings become ``SCHEMA_INVALID`` issues, grouped by field and rule, with the features concerned.

How they are run (:mod:`.validation`): on a layer or chunk of at most ``validation.SMALL_LAYER`` rows, on every
row; on a larger one, a compiled equivalent of the schema runs on every row and the official validator on every
row it flags plus a deterministic sample, the official validator's findings being the only ones reported. A
keyword the compiler does not know, or a sampled row it wrongly passed, sends every row to the official validator.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import Transformer

from ..csvsafe import neutralise_csv_row
from ..errors import not_written
from ..naming import safe_file_stem
from ..numbers import literal
from ..report import Issue, Report, Severity
from .product_sinks import PRECISION, GeoJSONProduct, csv_texts, geometry_mapping, json_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import geopandas as gpd
    import pandas as pd

    from .base import TargetField

__all__ = [
    "csv_rows",
    "feature_collection",
    "product_stem",
    "report_validation",
    "validate_json_schema",
    "validate_table",
    "write_csv",
    "write_feature_collection",
    "write_json",
]


def product_stem(layer: str, suffix: str) -> str:
    return f"{safe_file_stem(layer)}_{suffix}"


def feature_collection(frame: gpd.GeoDataFrame, fields: list[TargetField]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (frame in WGS 84) with the fields in schema order, nulls kept, as Python objects
    (what ``jsonschema`` validates; the product file is written column-wise by :class:`.GeoJSONProduct`, same text).

    Except for optional enumerations: a JSON Schema ``enum`` without ``null`` (as in itineraire-randonnee) refuses
    ``null`` even when the type allows it, so an empty optional enumeration is left out of the properties.
    """
    names = [f.name for f in fields]
    omit = {f.name for f in fields if f.enum is not None and not f.required}
    records = frame[names].astype(object).where(frame[names].notna(), None).to_dict("records")
    features = []
    for rec, geom in zip(records, frame.geometry, strict=True):
        props = {k: json_value(v) for k, v in rec.items() if not (v is None and k in omit)}
        features.append({"type": "Feature", "properties": props, "geometry": geometry_mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def write_feature_collection(
    frame: gpd.GeoDataFrame, fields: list[TargetField], path: Path, chunk: int = 10_000
) -> None:
    """The same bytes as ``write_json(feature_collection(frame, fields), path)``, written column-wise ``chunk``
    features at a time (:class:`.GeoJSONProduct`)."""
    product = GeoJSONProduct(fields, None)
    product.open(path)
    for start in range(0, len(frame), chunk):
        product.write(frame.iloc[start : start + chunk])
    product.close()


def write_json(doc: dict[str, Any], path: Path) -> None:
    try:
        with path.open("w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")
    except OSError as exc:
        raise not_written(path, exc) from exc


def _csv_column(series: pd.Series, kind: str, true_false: tuple[str, str]) -> list[str]:
    """:func:`.csv_text` of every value, computed once per distinct value (columns repeat a few values)."""
    codes, texts = csv_texts(series, kind, true_false)
    return np.array(texts, dtype=object)[codes].tolist()


def csv_rows(
    frame: gpd.GeoDataFrame,
    fields: list[TargetField],
    extra: dict[str, np.ndarray] | None = None,
    true_false: tuple[str, str] = ("true", "false"),
    chunk: int = 10_000,
) -> tuple[list[str], Iterator[list[str]]]:
    """Header and text rows: schema fields in order, then ``extra`` columns (coordinates).

    The rows are made ``chunk`` features at a time as they are consumed (once: by the validator's temporary CSV or
    by the product), so a large layer's text never sits in memory whole.
    """
    header = [f.name for f in fields]
    extra = extra or {}
    header += [name for name in extra if name not in header]
    return header, _row_chunks(frame, fields, extra, true_false, chunk)


def _row_chunks(
    frame: gpd.GeoDataFrame,
    fields: list[TargetField],
    extra: dict[str, np.ndarray],
    true_false: tuple[str, str],
    chunk: int,
) -> Iterator[list[str]]:
    names = [f.name for f in fields]
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        cols = [_csv_column(part[f.name], f.kind, true_false) for f in fields]
        rows = [list(r) for r in zip(*cols, strict=True)] if cols else [[] for _ in range(len(part))]
        for name, values in extra.items():
            texts = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
                     for v in values[start : start + chunk]]  # fmt: skip
            if name in names:
                j = names.index(name)
                for row, text in zip(rows, texts, strict=True):
                    row[j] = text
            else:
                for row, text in zip(rows, texts, strict=True):
                    row.append(text)
        yield from rows


def write_csv(header: list[str], rows: Iterable[list[str]], path: Path) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(neutralise_csv_row(header))
            writer.writerows(neutralise_csv_row(r) for r in rows)  # formulas as text (odl_geo.csvsafe)
    except OSError as exc:
        raise not_written(path, exc) from exc


def lonlat(frame: gpd.GeoDataFrame, digits: int = PRECISION) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude of point features (NaN for others and empty points), whatever the frame's CRS."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    pts = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    x[pts], y[pts] = shapely.get_x(geoms[pts]), shapely.get_y(geoms[pts])
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        from ..checks.crs import transform_arrays

        x, y = transform_arrays(Transformer.from_crs(frame.crs, 4326, always_xy=True), x, y)
    return np.round(x, digits), np.round(y, digits)


# -- official validators -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _validator(schema_text: str) -> Any:
    """A validator for the schema, its references resolved once: without the crawled registry, ``jsonschema``
    looks each ``$ref`` (one per feature in the hiking schema) up again by crawling the whole schema (-25 %)."""
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    schema = json.loads(schema_text)
    cls = validator_for(schema)
    registry: Registry[Any] = Registry()
    if "$id" in schema:
        resource = Resource.from_contents(schema, default_specification=DRAFT7)
        registry = registry.with_resource(schema["$id"], resource).crawl()
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def validate_json_schema(doc: dict[str, Any], schema: dict[str, Any]) -> list[tuple[int | None, str, str, str]]:
    """Errors of ``jsonschema`` (draft given by the schema, formats checked) as (feature, field, rule, message)."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    out = []
    for err in validator.iter_errors(doc):
        path = list(err.absolute_path)
        feature = path[1] if len(path) > 1 and path[0] == "features" and isinstance(path[1], int) else None
        where = ".".join(str(p) for p in path[2:]) if feature is not None else ".".join(map(str, path)) or "(document)"
        out.append((feature, where, str(err.validator), err.message))
    return out


@functools.cache
def ready_frictionless() -> None:
    """frictionless imported, what validating a CSV needs of it, and its plugins found without walking the whole
    ``sys.path`` (:mod:`.frictionless_plugins`): once per process, the first time a table is validated or ahead
    of it, where a process has time to spare (:func:`.validation.prepare_validation`)."""
    import frictionless  # noqa: F401 - the import is what is paid here
    from frictionless import Dialect, Resource, Schema  # noqa: F401
    from frictionless.table.row import Row, create_cell_handlers  # noqa: F401

    from .frictionless_plugins import prime_plugins

    prime_plugins()


def validate_table(path: Path, descriptor: dict[str, Any]) -> list[tuple[int | None, str, str, str]]:
    """Errors of ``frictionless`` for the CSV at ``path`` against a Table Schema, as (feature, field, rule, message)."""
    return table_errors(path, descriptor)[0]


def table_errors(
    path: Path, descriptor: dict[str, Any], dialect: Any = None, encoding: str | None = None
) -> tuple[list[tuple[int | None, str, str, str]], str | None]:
    """:func:`validate_table`, with a ``frictionless.Dialect`` (the fast path declares its placeholder lines
    comments, :mod:`.validation`) and the file's encoding, if known (frictionless detects it otherwise); and the
    encoding it read the file with."""
    from ..errors import require

    require(
        "frictionless",
        "validate",
        "Validating a CSV product against its Table Schema",
        "La validation d'un produit CSV par son schéma de table (Table Schema)",
    )
    ready_frictionless()
    from frictionless import Resource, Schema

    schema = Schema.from_descriptor({k: v for k, v in descriptor.items() if k != "$schema"})
    # a relative path under basepath: frictionless refuses absolute paths as "not safe"
    extra: dict[str, Any] = {k: v for k, v in (("dialect", dialect), ("encoding", encoding)) if v is not None}
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, **extra)
    report = resource.validate(limit_errors=100_000)
    out = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            feature = row - 2 if isinstance(row, int) else None  # row 1 is the header
            out.append((feature, getattr(err, "field_name", "") or "(table)", err.type, err.message))
    return out, resource.encoding


def validate_rows(
    header: list[str], rows: Iterable[list[str]], descriptor: dict[str, Any]
) -> list[tuple[int | None, str, str, str]]:
    """:func:`validate_table` on rows written to a temporary CSV exactly as the product is written, frictionless
    told the file's encoding, UTF-8 (:func:`write_csv`'s, the product's own): its detector (chardet, ~26 MB of
    models, ~2.5 s a million rows in a streamed run) is not run on a text the run wrote itself, and could only
    misread it (pure ASCII holding ``+ADM-`` reads as UTF-7: ``3``)."""
    with tempfile.TemporaryDirectory(prefix="odl-geo-validate-") as tmp:
        p = Path(tmp) / "table.csv"
        write_csv(header, rows, p)
        return table_errors(p, descriptor, encoding="utf-8")[0]


def report_validation(
    errors: list[tuple[int | None, str, str, str]], validator: str, schema: str, layer: str, report: Report
) -> None:
    """Add the validator's findings to ``report``: one SCHEMA_INVALID issue per (field, rule), or SCHEMA_VALID."""
    if not errors:
        report.add(
            Issue(
                "SCHEMA_VALID",
                Severity.INFO,
                f"The product is valid against {schema} ({validator}).",
                layer=layer,
                message_fr=f"Le produit est conforme à {schema} (validé par {validator}).",
            )
        )
        return
    groups: dict[tuple[str, str], list[tuple[int | None, str]]] = defaultdict(list)
    for feature, where, rule, message in errors:
        groups[(where, rule)].append((feature, message))
    for (where, rule), items in groups.items():
        features = sorted({f for f, _ in items if f is not None})
        first = items[0][1]
        first = first if len(first) < 300 else first[:300] + "…"
        report.add(
            Issue(
                "SCHEMA_INVALID",
                Severity.ERROR,
                "",
                f"See the other issues of this layer for the cause; the product does not conform to {schema}.",
                layer=layer,
                count=len(items),
                examples=features,
            ).counted(
                f"{literal(validator)}: {literal(where)} breaks the rule '{literal(rule)}' ({{n}} {{n:time|times}}), "
                f"e.g. {literal(first)}",
                f"{literal(validator)} : {literal(where)} ne respecte pas la règle « {literal(rule)} » ({{n}} fois), "
                f"p. ex. {literal(first)}",
                n=len(items),
            )
        )

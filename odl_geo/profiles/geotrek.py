"""Geotrek exports: nested objects flattened to the plain values a national schema wants, with no mapping file.

Geotrek (Geotrek-admin and Geotrek-rando, the trail software of most French national and regional parks and many
départements) exports treks whose properties hold objects instead of values: ``practice``, ``route`` and
``difficulty`` are ``{"id": 4, "pictogram": "…", "label": "Pédestre"}`` (the API v2 names the label ``name`` for
practices and ``route`` for routes), ``themes`` and ``networks`` are lists of them, ``structure`` is
``{"id": 1, "name": "Parc national des Cévennes"}`` and ``cities`` a list of ``{"code": "48061", "name": "…"}``.
GDAL reads each of them as JSON text. Left as they are, the field matcher finds the right target fields
(``practice`` -> ``pratique``) but every value is a JSON document that no enumeration accepts.

Here each such column takes its label (a list: its labels joined by commas, as the schema's ``themes``), the
structure its name (-> ``producteur``) and the cities their INSEE codes (a ``communes_code`` column) and names;
the trek's own ``id`` stays the identifier (-> ``id_local``). The labels are then mapped to the schema's codes by
the profile's value synonyms ("Pédestre" -> ``pédestre``, "Aller-retour" -> ``aller-retour``) like any value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["GEOTREK_FIELDS", "GeotrekColumns", "flatten_geotrek", "label_of", "recognise_geotrek"]

#: keys that hold an object's label in Geotrek's serializers (translated: a {"fr": ..., "en": ...} dict)
LABEL_KEYS = ("label", "name", "route", "title")
#: Geotrek's fields holding objects: seeing two of them as objects is what recognises an export
GEOTREK_FIELDS = ("practice", "route", "difficulty", "themes", "networks", "structure", "cities", "accessibilities")


def _parsed(value: Any) -> Any:
    """A dict or list as such; JSON text of an object or a list parsed; anything else None."""
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def _text(label: Any) -> str | None:
    if isinstance(label, dict):  # a translated label: French first
        label = label.get("fr") or next((v for v in label.values() if v), None)
    return str(label).strip() if label not in (None, "") else None


def label_of(value: Any) -> str | None:
    """The label of a Geotrek object (or the labels of a list of them, joined by commas); None when ``value`` is
    no such object."""
    obj = _parsed(value)
    if isinstance(obj, dict):
        key = next((k for k in LABEL_KEYS if k in obj), None)
        return _text(obj[key]) if key is not None and "id" in obj else None
    if isinstance(obj, list) and all(isinstance(o, dict) for o in obj):
        labels = [label_of(o) for o in obj]
        if any(v is None for v in labels):
            return None
        return ",".join(v for v in labels if v) or None
    return None


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and pd.isna(v))


def _objects(series: pd.Series) -> bool:
    """Every value present is a Geotrek object (or a list of them; an empty list counts)."""
    present = [v for v in series if not _blank(v)]
    if not present:
        return False
    for v in present:
        obj = _parsed(v)
        if obj == []:
            continue
        if label_of(obj) is None:
            return False
    return True


@dataclass(frozen=True)
class GeotrekColumns:
    """What recognising a Geotrek export decided: the columns holding objects, and the ``cities`` column when it
    holds lists of cities. Streaming (``convert --theme`` conforms a layer chunk by chunk) takes this decision on
    the first chunk and applies it to every chunk, so that all of them are read alike."""

    objects: tuple[str, ...]
    cities: str | None


def recognise_geotrek(frame: pd.DataFrame) -> GeotrekColumns | None:
    """The Geotrek columns of ``frame`` (at least two of its fields hold objects in every feature), or None
    when it is not a Geotrek export."""
    candidates = [
        c
        for c in frame.columns
        if str(c).lower() in GEOTREK_FIELDS
        and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))
    ]
    cities = next((c for c in frame.columns if str(c).lower() == "cities"), None)
    city_lists = frame[cities].map(_parsed) if cities is not None else None
    is_city_list = city_lists is not None and all(
        isinstance(v, list) and all(isinstance(o, dict) and "code" in o for o in v) for v in city_lists.dropna()
    ) and city_lists.notna().any()  # fmt: skip
    objects = [c for c in candidates if c != cities and _objects(frame[c])]
    if len(objects) + int(bool(is_city_list)) < 2:
        return None
    return GeotrekColumns(tuple(objects), cities if is_city_list else None)


def _label_or_value(v: Any) -> Any:
    """A Geotrek object's label; a blank or an empty list None; anything else (a later chunk's plain text in a
    column the first chunk found full of objects) kept as it is, for the checks to judge, never lost."""
    if _blank(v):
        return None
    obj = _parsed(v)
    if obj == []:
        return None
    label = label_of(obj) if obj is not None else None
    return label if label is not None else v


def flatten_geotrek(frame: gpd.GeoDataFrame, found: GeotrekColumns | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The frame with Geotrek's objects as plain values, and the columns flattened (empty: not a Geotrek export).

    ``cities`` gives a ``communes_code`` column (INSEE codes, comma-separated) besides the names, unless the
    frame has one already.

    :param found: the columns to flatten, as :func:`recognise_geotrek` found them in the layer's first chunk
        (streaming); None: recognise them in ``frame``.
    """
    found = found if found is not None else recognise_geotrek(frame)
    if found is None:
        return frame, []
    out = frame.copy()
    for c in found.objects:
        if c in out.columns:
            out[c] = frame[c].map(_label_or_value).astype(object)
    flattened = [c for c in found.objects if c in out.columns]
    cities = found.cities
    if cities is not None and cities in out.columns:
        city_lists = frame[cities].map(_parsed)
        out[cities] = city_lists.map(
            lambda v: (
                ",".join(str(o.get("name", "")) for o in v if isinstance(o, dict)) if isinstance(v, list) else None
            )
        )
        if "communes_code" not in out.columns:
            codes = city_lists.map(
                lambda v: (
                    ",".join(str(o["code"]) for o in v if isinstance(o, dict) and "code" in o)
                    if isinstance(v, list)
                    else None
                )
            )
            geometry = getattr(out, "_geometry_column_name", None)
            at = list(out.columns).index(geometry) if geometry in out.columns else len(out.columns)
            out.insert(at, "communes_code", codes)
        flattened.append(cities)
    return out, flattened

"""Does a downloaded schema product still validate against its national schema? odl-geo's own validators.

The product is recognised by its file name (``*_itineraire-randonnee.geojson``, ``*_points-eau.csv``,
``*_pei.csv``, a CNIG PPR ``.gpkg``), written by the theme profiles (:mod:`odl_geo.profiles.products`); the
validator is the one the conversion ran (jsonschema, frictionless, the CNIG PPR structure check).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["is_schema_product", "validate_product"]

#: file name ending -> (theme, schema label)
PRODUCTS = {
    "_itineraire-randonnee.geojson": ("hiking", "itineraire-randonnee"),
    "_points-eau.csv": ("water", "points-eau"),
    "_pei.csv": ("pei", "point-eau-incendie"),
}


def is_schema_product(name: str, theme: str) -> str | None:
    """The schema label when the resource ``name`` is the schema product of ``theme``, else None."""
    for suffix, (of, label) in PRODUCTS.items():
        if name.endswith(suffix) and of == theme:
            return label
    if theme == "flood" and name.endswith(".gpkg"):
        return "CNIG PPR"
    return None


def validate_product(path: Path, theme: str) -> list[str]:
    """Up to five messages of what breaks the schema (empty: valid). Reads ``path`` only."""
    from ..profiles.products import validate_json_schema, validate_table

    if theme == "hiking":
        from ..profiles.hiking import SCHEMA_FILE
        from ..profiles.schemas import load_schema

        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [f"not JSON ({exc})"]
        errors = validate_json_schema(doc, load_schema(SCHEMA_FILE))
    elif theme == "water":
        from ..profiles.water import table_schema

        errors = validate_table(path, table_schema())
    elif theme == "pei":
        from ..profiles.pei import SCHEMA_FILE as PEI_SCHEMA
        from ..profiles.schemas import load_schema

        errors = validate_table(path, load_schema(PEI_SCHEMA))
    elif theme == "flood":
        from ..errors import InputError
        from ..profiles.flood.validate import validate_geopackage
        from ..report import Report, Severity

        report = Report()
        try:
            validate_geopackage(path, report)
        except InputError as exc:
            return [exc.message]
        return [i.message for i in report.issues if i.severity == Severity.ERROR][:5]
    else:
        return []
    return [f"{where}: {message}" for _f, where, _rule, message in errors][:5]

"""Layer and field names that OGC servers publish without trouble.

GeoServer and QGIS Server turn layer and field names into XML element names (WFS GML, WMS GetFeatureInfo): a name
with a space, an accent, or a leading digit gives invalid XML or a renamed field that breaks styles and
re-users' scripts. Safe: ASCII letters, digits, ``_``, ``-`` and ``.``, starting with a letter or ``_``, not
starting with ``xml``, at most 63 characters (PostgreSQL's limit, for PostGIS publication).
"""

from __future__ import annotations

import re
import unicodedata

from ..numbers import literal
from ..report import Issue, Severity
from . import fixes
from ._common import attribute_columns, issue
from .registry import Check, CheckContext, Level, register

__all__ = ["FIELD_NAME_NOT_XML_SAFE", "LAYER_NAME_NOT_XML_SAFE", "is_xml_safe", "product_layer_name"]

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,62}$")


def is_xml_safe(name: str) -> bool:
    return bool(_SAFE.match(name)) and not name.lower().startswith("xml")


def product_layer_name(name: str) -> str:
    """The XML-safe name a theme product gives a layer: ``name`` itself when it is safe, else accents folded, ``_``
    for other characters and ``couche_`` before a leading digit (``2014 Bornes é`` -> ``couche_2014_Bornes_e``),
    at most 63 characters."""
    if is_xml_safe(name):
        return name
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    flat = re.sub(r"[^A-Za-z0-9_.\-]+", "_", flat).strip("._-") or "couche"
    if not re.match(r"[A-Za-z_]", flat) or flat.lower().startswith("xml"):
        flat = f"couche_{flat}"
    return flat[:63]


def _layer(ctx: CheckContext) -> list[Issue]:
    if is_xml_safe(ctx.layer):
        return []
    return [
        issue(
            LAYER_NAME_NOT_XML_SAFE,
            ctx,
            f"The layer name {ctx.layer!r} is not a safe XML name for WMS/WFS.",
            f"Le nom de couche {ctx.layer!r} n'est pas un nom XML sûr pour WMS/WFS.",
        )
    ]


def _fields(ctx: CheckContext) -> list[Issue]:
    bad = [c for c in attribute_columns(ctx.frame) if not is_xml_safe(str(c))]
    if not bad:
        return []
    shown = ", ".join(repr(c) for c in bad[:10])
    return [
        issue(FIELD_NAME_NOT_XML_SAFE, ctx, "", "").counted(
            f"{{n}} field {{n:name is not a safe XML name|names are not safe XML names}} for WMS/WFS: "
            f"{literal(shown)}.",
            f"{{n}} {{n:nom de champ n'est pas un nom XML sûr|noms de champ ne sont pas des noms XML sûrs}} pour "
            f"WMS/WFS : {literal(shown)}.",
            n=len(bad),
        )
    ]


LAYER_NAME_NOT_XML_SAFE = register(
    Check(
        "LAYER_NAME_NOT_XML_SAFE",
        Severity.WARNING,
        Level.LAYER,
        {"fr": "Nom de couche non publiable tel quel", "en": "Layer name not safe for OGC servers"},
        {
            "fr": "Espaces, accents ou chiffre initial cassent le XML des services WMS/WFS : renommez la couche "
            "(lettres "
            "ASCII, chiffres, _ ; une lettre en premier).",
            "en": "Spaces, accents or a leading digit break the XML of WMS/WFS services: rename the layer (ASCII "
            "letters, "
            "digits, _; a letter first).",
        },
        _layer,
    )
)
FIELD_NAME_NOT_XML_SAFE = register(
    Check(
        "FIELD_NAME_NOT_XML_SAFE",
        Severity.WARNING,
        Level.LAYER,
        {"fr": "Nom de champ non publiable tel quel", "en": "Field name not safe for OGC servers"},
        {
            "fr": "--fix renomme les champs (accents retirés, minuscules, _ pour le reste, une lettre en premier).",
            "en": "--fix renames the fields (accents folded, lower case, _ for the rest, a letter first).",
        },
        _fields,
        fix=fixes.fix_field_names,
    )
)

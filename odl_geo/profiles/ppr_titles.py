"""French titles of the CNIG PPR tables, for layer lists and legends (``pprn_38ddt20200002_zonealeareference_115_s``
-> "Zones d'aléa de référence : lave torrentielle (torrent et talweg)").

A flood product is one GeoPackage of many tables whose names are the standard's codes: meaningful to a SIG
administrator, not to a commune's website visitor. The titles follow the tables' meanings in the CNIG Géostandard
PPR (v1.0); the hazard of a per-hazard table is the label of its ``typealea`` code in the pinned template.

Kept out of ``profiles.flood`` on purpose: that package loads geopandas, and the GeoServer planner, which runs in
the QGIS process, must not (see ``publishers/geoserver/plan.py``). Only the standard library here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["ppr_table_title"]

_SQL = Path(__file__).parent / "data" / "cnig_ppr" / "typeppr_codegasparppr.sql"

#: table family (the name without ``<typeppr>_<gaspar>_``, hazard code and geometry suffix) -> title
_TITLES = {
    "procedure": "Procédure",
    "perimetre": "Périmètre du PPR",
    "perimetreetude": "Périmètre d'étude",
    "zonealeareference": "Zones d'aléa de référence",
    "zonealeaecheance100ans": "Zones d'aléa à échéance 100 ans",
    "zonealeaexceptionnel": "Zones d'aléa exceptionnel",
    "zonealeanaturelsynthese": "Synthèse des aléas naturels",
    "zonealeatechnorapide": "Zones d'aléa technologique à cinétique rapide",
    "zonealeatechnolent": "Zones d'aléa technologique à cinétique lente",
    "zonealeatechnoprojection": "Zones d'aléa technologique de projection",
    "zonealeatechnosynthese": "Synthèse des aléas technologiques",
    "zoneprotegee": "Zones protégées par un ouvrage",
    "zonedangerspecifique": "Zones de danger spécifique",
    "ouvrageprotecteur": "Ouvrages de protection",
    "originerisque": "Origine du risque",
    "enjeu": "Enjeux",
    "zonereglementaireurba": "Zonage réglementaire",
    "zonereglementairefoncier": "Zonage réglementaire foncier",
}
_GEOMETRY = {"s": "", "l": " (lignes)", "p": " (points)"}
_NAME = re.compile(r"^[a-z]+_[0-9a-z]+_(?P<base>[a-z0-9]+?)(?:_(?P<code>\d+))?(?:_(?P<geom>[slp]))?$")


@cache
def _hazards() -> dict[str, str]:
    """``typealea`` code -> short label: the last part of the standard's label, without "Par (une)"."""
    sql = _SQL.read_text(encoding="utf-8")
    block = sql[sql.index("INSERT INTO typealea VALUES") :]
    block = block[: block.index(";\n")]
    out = {}
    for code, label in re.findall(r"\('(\d+)','((?:[^']|'')*)'\)", block):
        last = label.replace("''", "'").split(";")[-1].strip()
        last = re.sub(r"^Par (une |un )?", "", last)
        last = re.sub(r"^E(?=[bcmrt])", "É", last)  # the standard writes "Eboulement", "Eruption"
        out[code] = last[:1].lower() + last[1:]
    return out


def ppr_table_title(table: str) -> str | None:
    """The French title of a CNIG PPR table by its name; None for a name that is not one (other themes)."""
    m = _NAME.match(table.lower())
    if m is None or m.group("base") not in _TITLES:
        return None
    title = _TITLES[m.group("base")]
    code = m.group("code")
    if code and code in _hazards():
        title += f" : {_hazards()[code]}"
    return title + _GEOMETRY.get(m.group("geom") or "s", "")

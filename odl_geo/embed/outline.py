"""Territory outlines odl-geo can write for ``outline-src``, from the outlines it ships (``checks/data``).

What is shipped (see ``odl_geo/checks/data/README.md``): the outlines of metropolitan France, the DROM and the
101 **départements** (IGN ADMIN EXPRESS COG, simplified at 250 m, Licence Ouverte 2.0); a **région** is the union
of its départements. There are **no commune (nor EPCI) outlines** in odl-geo: for those, the map takes the outline
from data.gouv.fr's zone API (``GET /api/1/spatial/zone/{id}/``) at page load, and has none offline.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import OutputError

if TYPE_CHECKING:
    from pathlib import Path

    from .territory import Territory

__all__ = ["OUTLINE_KINDS", "outline_geojson", "write_outline"]

OUTLINE_KINDS = ("departement", "region")
ATTRIBUTION = "IGN - ADMIN EXPRESS COG (Licence Ouverte 2.0), simplifié par odl-geo"


def _rows() -> dict[str, tuple[str, int, str]]:
    raw = (resources.files("odl_geo.checks") / "data" / "areas.tsv.gz").read_bytes()
    out = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines()[1:]:
        level, code, nom, epsg, wkt = line.split("\t")
        if level == "departement":
            out[code] = (nom, int(epsg), wkt)
    return out


def outline_geojson(territory: Territory) -> dict[str, Any] | None:
    """The outline of a département or région as a GeoJSON FeatureCollection in WGS 84; None for other kinds."""
    if territory.kind not in OUTLINE_KINDS:
        return None
    import numpy as np
    import shapely
    from pyproj import Transformer

    from ..checks.communes import departements

    rows = _rows()
    codes = [territory.code] if territory.kind == "departement" else [
        code for code, (_name, region) in departements().items() if region == territory.code
    ]  # fmt: skip
    parts = []
    for code in codes:
        if code not in rows:
            continue
        _nom, epsg, wkt = rows[code]
        to_wgs = Transformer.from_crs(epsg, 4326, always_xy=True)
        geom = shapely.from_wkt(wkt)
        parts.append(shapely.transform(geom, lambda xy, t=to_wgs: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))))
    if not parts:
        return None
    geom = shapely.set_precision(shapely.union_all(parts), 1e-5)
    feature = {
        "type": "Feature",
        "properties": {"code": territory.code, "kind": territory.kind, "nom": territory.name, "source": ATTRIBUTION},
        "geometry": json.loads(shapely.to_geojson(geom)),
    }
    return {"type": "FeatureCollection", "features": [feature]}


def write_outline(territory: Territory, path: Path) -> bool:
    """Write the outline to ``path``; False when odl-geo has none for this kind of territory.

    :raises OutputError: the file cannot be written.
    """
    doc = outline_geojson(territory)
    if doc is None:
        return False
    try:
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"Impossible d'écrire {path} : {exc.strerror}.", "Vérifiez les droits du dossier.") from None
    return True

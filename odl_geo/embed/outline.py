"""Territory outlines odl-geo can write for ``outline-src``, from the outlines it ships (``checks/data``).

What is shipped (see ``odl_geo/checks/data/README.md``; IGN ADMIN EXPRESS COG, Licence Ouverte 2.0): the outlines
of the 101 **départements** (simplified at 250 m; a **région** is the union of its départements) and of every
**commune** (20 m) and **EPCI** (union of its communes, 50 m). data.gouv.fr's zone API is no alternative: udata 17
stores zones without geometry, and an intranet page must not depend on it. The map falls back to that API only
for the few communes the source has no polygon for (Saint-Pierre-et-Miquelon, Saint-Martin, Saint-Barthélemy...).

Commune and EPCI outlines are read one block at a time (a gzip member of ``outlines.tsv.gz`` found through
``outlines.idx.tsv``: a département's communes, or 50 EPCI), so one lookup decompresses about 100 kB, not 5 MB.
"""

from __future__ import annotations

import bisect
import gzip
import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import OutputError

if TYPE_CHECKING:
    from pathlib import Path

    from .territory import Territory

__all__ = ["OUTLINE_KINDS", "outline_geojson", "write_outline"]

OUTLINE_KINDS = ("commune", "epci", "departement", "region")
ATTRIBUTION = "IGN - ADMIN EXPRESS COG (Licence Ouverte 2.0), simplifié par odl-geo"


def _rows() -> dict[str, tuple[str, int, str]]:
    raw = (resources.files("odl_geo.checks") / "data" / "areas.tsv.gz").read_bytes()
    out = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines()[1:]:
        level, code, nom, epsg, wkt = line.split("\t")
        if level == "departement":
            out[code] = (nom, int(epsg), wkt)
    return out


@cache
def _index() -> dict[str, tuple[int, int]]:
    lines = (resources.files("odl_geo.checks") / "data" / "outlines.idx.tsv").read_text(encoding="utf-8")
    return {b: (int(o), int(n)) for b, o, n in (line.split("\t") for line in lines.splitlines()[1:])}


def _block_of(kind: str, code: str) -> str | None:
    """The block holding ``kind:code``: the commune's département, or the EPCI block whose first SIREN <= code."""
    if kind == "commune":
        from ..checks.communes import communes

        row = communes().get(code)
        return row.departement if row else None
    firsts = sorted(b.removeprefix("epci:") for b in _index() if b.startswith("epci:"))
    i = bisect.bisect_right(firsts, code)
    return f"epci:{firsts[i - 1]}" if i else None


def _decode_ring(text: str) -> list[list[float]]:
    """Google's encoded polyline (lat, lon; 1e-5 degree) -> GeoJSON positions [lon, lat]."""
    values, shift, acc = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        acc |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(acc >> 1) if acc & 1 else acc >> 1)
            shift, acc = 0, 0
    lat = lon = 0
    out = []
    for i in range(0, len(values) - 1, 2):
        lat += values[i]
        lon += values[i + 1]
        out.append([lon / 1e5, lat / 1e5])
    return out


def shipped_outline(kind: str, code: str) -> tuple[str, dict[str, Any]] | None:
    """(name, GeoJSON MultiPolygon in WGS 84) of a commune or EPCI from the shipped outlines; None if absent."""
    block = _block_of(kind, code)
    if block is None or block not in _index():
        return None
    offset, length = _index()[block]
    with (resources.files("odl_geo.checks") / "data" / "outlines.tsv.gz").open("rb") as fh:
        fh.seek(offset)
        text = gzip.decompress(fh.read(length)).decode("utf-8")
    start = text.find(f"{kind}\t{code}\t")
    if start < 0 or (start > 0 and text[start - 1] != "\n"):
        return None
    line = text[start : text.find("\n", start)]
    _kind, _code, name, geom = line.split("\t")
    polygons = [[_decode_ring(ring) for ring in poly.split(" ")] for poly in geom.split(";")]
    return name, {"type": "MultiPolygon", "coordinates": polygons}


def outline_geojson(territory: Territory) -> dict[str, Any] | None:
    """The outline of the territory as a GeoJSON FeatureCollection in WGS 84; None when odl-geo has none."""
    if territory.kind not in OUTLINE_KINDS:
        return None
    if territory.kind in ("commune", "epci"):
        found = shipped_outline(territory.kind, territory.code)
        if found is None:
            return None
        name, geometry = found
        props = {"code": territory.code, "kind": territory.kind, "nom": territory.name or name, "source": ATTRIBUTION}
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        return {"type": "FeatureCollection", "features": [feature]}
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
        raise OutputError(
            f"Cannot write {path}: {exc.strerror}.",
            "Check the folder's permissions.",
            message_fr=f"Impossible d'écrire {path} : {exc.strerror}.",
            hint_fr="Vérifiez les droits du dossier.",
        ) from None
    return True

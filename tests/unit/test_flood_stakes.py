"""Issue 16: COVADIS stakes (N_ENJEU_PPR*) and risk origins (N_ORIG_RISQ_PPR*) are converted to the CNIG
``enjeu_*`` / ``originerisque_*`` tables instead of being left out of a product called publishable.

No DDT sample at hand ships these layers, so they are built here the way COVADIS PPR lays them out (one shapefile
per geometry, ``N_ENJEU_PPRN_<AAAANNNN>_<S|L|P>_<DDD>``, fields ID_ENJEU, ID_GASPAR, NOM, CATEGORIE, DESCRIPT,
DATE_COLL; ID_ORIG, NOM for the origins) next to the real layers of the Isère PPR 38DDT20180003, from its own
regulatory zones (polygons, their centroids, their outlines).
"""

from __future__ import annotations

import sqlite3
import zipfile
from typing import TYPE_CHECKING

import geopandas as gpd
import pyogrio

from odl_geo.cli.main import main

if TYPE_CHECKING:
    from pathlib import Path

MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
PREFIX = "pprn_38ddt20180003"


def _covadis_with_stakes(shared_data: Path, tmp_path: Path) -> tuple[Path, int]:
    folder = tmp_path / "src"
    with zipfile.ZipFile(shared_data / MULTI) as zf:
        zf.extractall(folder)
    base = next(folder.rglob("N_ZONE_REG_PPRN_*.shp"))
    zones = pyogrio.read_dataframe(base).head(12)
    n = len(zones)
    stakes = gpd.GeoDataFrame(
        {
            "ID_ENJEU": [f"E{i:04d}" for i in range(n)],
            "ID_GASPAR": ["38DDT20180003"] * n,
            "NOM": [f"Bâtiment {i}" if i % 4 else None for i in range(n)],  # no NOM: DESCRIPT is the name
            "CATEGORIE": ["04" if i % 2 else "1" for i in range(n)],
            "DESCRIPT": [f"Établissement recevant du public n°{i}" for i in range(n)],
            "DATE_COLL": ["2019-03-12" if i % 3 else None for i in range(n)],  # missing: the procedure's date
        },
        geometry=zones.geometry.values,
        crs=zones.crs,
    )
    stakes.to_file(base.parent / "N_ENJEU_PPRN_20180003_S_038.shp", engine="pyogrio", encoding="UTF-8")
    points = stakes.head(5).set_geometry(stakes.head(5).geometry.representative_point())
    points.to_file(base.parent / "N_ENJEU_PPRN_20180003_P_038.shp", engine="pyogrio", encoding="UTF-8")
    origins = gpd.GeoDataFrame(
        {"ID_ORIG": ["O1", "O2", "O3"], "ID_GASPAR": ["38DDT20180003"] * 3, "NOM": ["Torrent", "Ravin", "Combe"]},
        geometry=zones.head(3).geometry.boundary.values,
        crs=zones.crs,
    )
    origins.to_file(base.parent / "N_ORIG_RISQ_PPRN_20180003_L_038.shp", engine="pyogrio", encoding="UTF-8")
    return folder, n


def test_covadis_stakes_and_origins_fill_the_cnig_tables(shared_data, tmp_path, capsys):
    folder, n = _covadis_with_stakes(shared_data, tmp_path)
    out = tmp_path / "out"
    assert main(["convert", str(folder), "--theme", "flood", "--to", "csv", "--out", str(out), "--json"]) == 0
    result = __import__("json").loads(capsys.readouterr().out)
    codes = {i["code"] for i in result["issues"]}
    assert "PPR_STAKES_CONVERTED" in codes and "PPR_LAYER_NOT_CONVERTED" not in codes
    assert "PPR_STAKE_DATE_DEFAULTED" in codes
    written = {f["layer"]: f["feature_count"] for f in result["files"] if f["format"] == "gpkg"}
    assert written[f"{PREFIX}_enjeu_s"] == n and written[f"{PREFIX}_enjeu_p"] == 5
    assert written[f"{PREFIX}_originerisque_l"] == 3
    with sqlite3.connect(out / f"{PREFIX}.gpkg") as conn:
        rows = conn.execute(
            f"SELECT idenjeu, idrefexterne, refexterne, codeprocedure, nomenjeu, codeenjeu, nomenclatureenjeu, "
            f"dateenjeu FROM {PREFIX}_enjeu_s ORDER BY idenjeu"
        ).fetchall()
        origins = conn.execute(f"SELECT idoriginerisque, nom FROM {PREFIX}_originerisque_l ORDER BY 1").fetchall()
        geometry = conn.execute(
            f"SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = '{PREFIX}_enjeu_p'"
        ).fetchone()
    assert len(rows) == n
    first, second = rows[0], rows[1]
    assert first[:4] == ("E0000", "E0000", "N_ENJEU_PPRN_20180003_S_038", "38DDT20180003")
    assert first[4] == "Établissement recevant du public n°0" and second[4] == "Bâtiment 1"  # DESCRIPT when no NOM
    assert first[5] == "01" and second[5] == "04"  # COVADIS category codes, two digits
    assert first[6].startswith("COVADIS PPR")
    assert second[7] == "2019-03-12" and first[7] and first[7] != "2019-03-12"  # recorded date, else the PPR's
    assert origins == [("O1", "Torrent"), ("O2", "Ravin"), ("O3", "Combe")]
    assert geometry == ("MULTIPOINT",)
    assert (out / f"{PREFIX}_enjeu_s.csv").is_file()  # the --to formats follow the new tables too

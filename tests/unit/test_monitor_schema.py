"""The monitor's schema check: a downloaded schema product is validated by odl-geo's own validators; a product
broken after publication is caught, with what breaks."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.monitor.schema_check import is_schema_product, validate_product

REPO = Path(__file__).resolve().parents[2]
SOURCES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", []),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", ["--mapping", "MAPPING"]),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", []),
}


@pytest.fixture(scope="module")
def products(tmp_path_factory, shared_data) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("products")
    out = {}
    for theme, (rel, extra) in SOURCES.items():
        src = shutil.copy(shared_data / rel, root / Path(rel).name)
        args = [a.replace("MAPPING", str(REPO / "examples/water/fontaines.toml")) for a in extra]
        assert main(["convert", str(src), "--theme", theme, "--to", "geojson", "--out", str(root / theme), *args,
                     "--quiet"]) == 0  # fmt: skip
        manifest = json.loads((root / theme / "manifest.json").read_text(encoding="utf-8"))
        [path] = sorted({f["path"] for f in manifest["files"] if is_schema_product(f["path"], theme)})
        out[theme] = root / theme / path
    return out


@pytest.mark.parametrize("theme", ["hiking", "water", "flood"])
def test_a_product_as_published_still_validates(products, theme):
    assert validate_product(products[theme], theme) == []


def test_a_broken_product_is_caught_with_what_breaks(products, tmp_path):
    hiking = json.loads(products["hiking"].read_text(encoding="utf-8"))
    del hiking["features"][0]["properties"]["nom_itineraire"]
    (tmp_path / "h.geojson").write_text(json.dumps(hiking), encoding="utf-8")
    [message] = validate_product(tmp_path / "h.geojson", "hiking")[:1]
    assert "nom_itineraire" in message

    water = products["water"].read_text(encoding="utf-8").splitlines()
    header = water[0].split(",")
    broken = [water[0], *(",".join("" if i == 0 else v for i, v in enumerate(line.split(","))) for line in water[1:])]
    (tmp_path / "w_points-eau.csv").write_text("\n".join(broken) + "\n", encoding="utf-8")
    errors = validate_product(tmp_path / "w_points-eau.csv", "water")
    assert errors and header[0] in errors[0]

    flood = tmp_path / "ppr.gpkg"
    shutil.copy(products["flood"], flood)
    with sqlite3.connect(flood) as conn:
        table = next(r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents") if "zonereglementaire" in r[0])
        conn.execute(f'DROP TABLE "{table}"')
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
        conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (table,))
    assert validate_product(flood, "flood") != []

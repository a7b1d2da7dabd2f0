"""The bundled samples converted as ``make demo`` converts them (each with its theme): the outputs the embed and
front tests build their pages and QGIS Server projects from."""

from __future__ import annotations

from pathlib import Path

from odl_geo.cli.main import main

REPO = Path(__file__).resolve().parents[1]
DEMO_CONVERSIONS = {  # theme: the example source, then its convert options
    "hiking": ["examples/hiking/cevennes_itineraires.json", "--theme", "hiking", "--area", "occitanie"],
    "water": ["examples/water/VilleMTP_MTP_Fontaines.csv", "--theme", "water", "--mapping",
              "examples/water/fontaines.toml", "--area", "34"],
    "flood": ["examples/flood/PPRn_BourgOisans.zip", "--theme", "flood"],
}  # fmt: skip


def convert_demo_examples(root: Path) -> Path:
    """``root/hiking``, ``root/water``, ``root/flood``: GeoPackage conversions (manifests included); returns root."""
    for theme, (src, *rest) in DEMO_CONVERSIONS.items():
        args = [str(REPO / a) if a.startswith("examples/") else a for a in rest]
        assert main(["convert", str(REPO / src), *args, "--to", "gpkg", "--out", str(root / theme), "-q"]) == 0
    return root

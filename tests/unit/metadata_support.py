"""Shared by the metadata tests: the demo themes converted as `make demo` converts them, and the ISO 19139 XSDs.

The XSDs are the ones pycsw 2.6.2 ships (``.venv-pycsw``, built by scripts/setup.sh): gmx.xsd includes gmd, gco,
gts, gss, gsr and GML 3.2.1, all by relative paths, so validation needs no network (a resolver refuses any remote
import, as ../shared/recipes/metadata/validate_iso.py does).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from lxml import etree

from odl_geo.cli.main import run_argv

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = dt.date(2026, 3, 2)

#: theme -> (source under examples/, convert options): the commands of scripts/demo.sh, fewer formats
DEMO = {
    "hiking": ("hiking/cevennes_itineraires.json", ["--area", "occitanie", "--to", "gpkg,geojson"]),
    "water": (
        "water/VilleMTP_MTP_Fontaines.csv",
        ["--mapping", str(EXAMPLES / "water/fontaines.toml"), "--area", "34", "--to", "gpkg,geojson,csv"],
    ),
    "flood": ("flood/PPRn_BourgOisans.zip", ["--to", "geojson"]),
}


def convert_demo(theme: str, base: Path) -> Path:
    """``examples/<theme>`` copied to ``base`` and converted with its theme into ``base/out``."""
    rel, options = DEMO[theme]
    src = base / Path(rel).name
    shutil.copy(EXAMPLES / rel, src)
    out = base / "out"
    code, _result, error = run_argv(["convert", str(src), "--theme", theme, *options, "--out", str(out)])
    assert code == 0, error
    return out


def pycsw_schemas() -> Path:
    found = sorted((ROOT / ".venv-pycsw").glob("lib/python3*/site-packages/pycsw/plugins/profiles/apiso/schemas"))
    assert found, "pycsw's schemas are missing: run `make setup` (scripts/setup.sh builds .venv-pycsw)"
    return found[0] / "ogc" / "iso" / "19139" / "20070417"


class _NoNetwork(etree.Resolver):
    def resolve(self, url: str, pubid: str, context: object) -> None:
        if url.startswith(("http:", "https:", "ftp:")):
            raise AssertionError(f"remote schema import attempted: {url}")


def iso_schema() -> etree.XMLSchema:
    """ISO 19139 (gmd + gmx, 2007-04-17) as one schema: INSPIRE records use gmx:Anchor, declared in gmx."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_NoNetwork())
    return etree.XMLSchema(etree.parse(str(pycsw_schemas() / "gmx" / "gmx.xsd"), parser))

"""Converted data of each theme for the PostGIS tests, and a fresh schema per test (the cluster fixture,
``pg_cluster``, is in ``tests/server/conftest.py``: the GeoServer tests of PostGIS stores use it too)."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest

#: theme -> (path in ../shared/data, convert options)
THEMES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", {"decode_html": True}),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", {}),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", {}),
}


@pytest.fixture(scope="session")
def theme_outputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """theme -> output folder of ``odl-geo convert --to gpkg`` made from a temporary copy of the shared file."""
    from odl_geo.conversion import ConvertOptions, convert

    root = tmp_path_factory.mktemp("themes")
    out = {}
    for theme, (rel, opts) in THEMES.items():
        src = root / "src" / theme
        src.mkdir(parents=True)
        copy = shutil.copy2(shared_data / rel, src / Path(rel).name)
        out[theme] = root / "out" / theme
        convert(copy, out[theme], formats=["gpkg"], options=ConvertOptions(**opts))
    return out


@pytest.fixture
def fresh_schema(pg_cluster):
    """A schema name unique to the test (dropped afterwards), so tests never see each other's tables."""
    name = "t_" + secrets.token_hex(4)
    yield name
    with pg_cluster.admin() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

"""Converted data of each theme served by a real QGIS Server (``qgis_mapserver`` subprocess) for the session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: theme -> (path in ../shared/data, convert options)
THEMES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", {"decode_html": True}),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", {}),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", {}),
}


def pytest_collection_modifyitems(items):
    if shutil.which("qgis_mapserver") is None:
        skip = pytest.mark.skip(reason="qgis_mapserver is not installed (Debian qgis-server; scripts/setup.sh)")
        for item in items:
            if "qgis_server" in str(item.fspath):
                item.add_marker(skip)


def convert_theme(shared_data: Path, root: Path, theme: str) -> Path:
    """``odl-geo convert --to gpkg`` of a temporary copy of the theme's shared file into ``root/<theme>``."""
    from odl_geo.conversion import ConvertOptions, convert

    rel, opts = THEMES[theme]
    src = root / "src" / theme
    src.mkdir(parents=True, exist_ok=True)
    copy = shutil.copy2(shared_data / rel, src / Path(rel).name)
    out = root / theme  # the folder's name is the theme: serve picks styles/<theme>/ from it
    convert(copy, out, formats=["gpkg"], options=ConvertOptions(**opts))
    return out


@pytest.fixture(scope="session")
def theme_outputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("served")
    return {theme: convert_theme(shared_data, root, theme) for theme in THEMES}


@pytest.fixture(scope="session")
def servers(theme_outputs):
    """theme -> a started QgisServer (with ``.build``); all stopped at the end of the session."""
    from odl_geo.serve import open_server

    started = {}
    try:
        for theme, out in theme_outputs.items():
            started[theme] = open_server(out).start()
        yield started
    finally:
        for server in started.values():
            server.stop()

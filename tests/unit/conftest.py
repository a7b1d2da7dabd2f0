"""Fixtures of the conversion-core unit tests (the shared-data fixtures live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Callable[[Path], dict[str, str]]:
    """``snapshot(folder)``: name -> sha256 of every file below ``folder``, from tests/conftest.py.

    Fetched through the plugin manager because ``import conftest`` resolves to whichever conftest pytest
    loaded last (tests/qgis has one too).
    """
    root = request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    assert root is not None, "tests/conftest.py was not loaded"
    return root.snapshot


FLOOD_SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flood" / "PPRn_BourgOisans.zip"


@pytest.fixture
def faulty_ppr(tmp_path: Path) -> Path:
    """The bundled PPR of Le Bourg-d'Oisans unzipped, its regulatory zones given faults a fix or a check spans
    pieces with: damaged accents (re-decoded by ``--fix``) early and late, a zone repeated at the end (a duplicate
    of a zone of the first piece), then a zone at the end that overlaps one of the first piece; and a hazard zone at
    the end that overlaps one of the first piece with another level (the overlap checks take the pieces one after
    the other). Used by the tests of a PPR's tables checked in pieces."""
    import zipfile

    import pandas as pd
    import pyogrio
    import shapely.affinity

    def rewrite(frame: pd.DataFrame, shp: Path) -> None:
        for part in shp.parent.glob(shp.stem + ".*"):
            part.unlink()
        pyogrio.write_dataframe(frame, shp, encoding="UTF-8")

    folder = tmp_path / "ppr"
    with zipfile.ZipFile(FLOOD_SAMPLE) as z:
        z.extractall(folder)
    (shp,) = folder.rglob("N_ZONE_REG_*.shp")
    zones = pyogrio.read_dataframe(shp)
    for row in (3, 400):
        zones.loc[row, "nom"] = "Zone rÃ©glementÃ©e"
    moved = zones.iloc[[20]].assign(id_zone="moved-20")
    moved = moved.set_geometry(moved.geometry.map(lambda g: shapely.affinity.translate(g, 3, 3)))
    rewrite(pd.concat([zones, zones.iloc[[10]], moved], ignore_index=True), shp)
    (shp,) = folder.rglob("N_ZONE_ALEA_*.shp")
    zones = pyogrio.read_dataframe(shp)
    assert (zones.loc[7, "coderisque"], zones.loc[7, "nivalea_st"]) == ("1150000", "01")
    moved = zones.iloc[[7]].assign(id_zone="moved-7", nivalea_st="03")
    moved = moved.set_geometry(moved.geometry.map(lambda g: shapely.affinity.translate(g, 3, 3)))
    rewrite(pd.concat([zones, moved], ignore_index=True), shp)
    return folder

"""The DDT38 PPRs the flood GeoPackage tests build from, conformed: shared by ``test_flood_gpkg_steps.py`` and
``test_flood_leave_out.py`` (as ``tests/unit/crafted.py`` is shared), so that both prove their bytes on the same
plans."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from odl_geo.profiles.flood import FloodProfile, load_flood_dataset
from odl_geo.report import Report

BUNDLED = Path(__file__).resolve().parents[2] / "examples" / "flood" / "PPRn_BourgOisans.zip"
MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
STAMP = "2024-05-06T07:08:09.000Z"
NAMES = ["bundled", "multialea"]


def conformed(name: str, shared_data: Path, tmp_path: Path) -> Any:
    """The PPR ``name`` (one of :data:`NAMES`) copied to ``tmp_path`` and conformed to the CNIG tables."""
    src = BUNDLED if name == "bundled" else shared_data / MULTI
    copy = Path(shutil.copy2(src, tmp_path / src.name))
    report = Report()
    return FloodProfile().conform(load_flood_dataset(copy, report), None, report)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

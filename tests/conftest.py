"""Shared test fixtures: the real data in ../shared/data, always used through a temporary copy."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# QGIS tests get a throwaway authentication database (set before pytest-qgis starts QgsApplication)
os.environ.setdefault("QGIS_AUTH_DB_DIR_PATH", tempfile.mkdtemp(prefix="odl-geo-qgis-auth-"))
SHARED_DATA = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    if "qgis.core" in sys.modules:  # QGIS stage: importing the GDAL/PROJ wheels here would bind them to QGIS's
        import qgis.core

        return [f"odl-geo data: {SHARED_DATA}", f"QGIS {qgis.core.Qgis.QGIS_VERSION} (GDAL/PROJ of QGIS)"]
    import pyogrio
    import pyproj
    import shapely

    return [
        f"odl-geo data: {SHARED_DATA} ({'present' if SHARED_DATA.is_dir() else 'MISSING'})",
        f"GDAL (pyogrio) {pyogrio.__gdal_version_string__}, PROJ (pyproj) {pyproj.proj_version_str}",
        f"GEOS {shapely.geos_version_string}",
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only shared data folder; fails (does not skip) when it is missing."""
    assert SHARED_DATA.is_dir(), f"../shared/data is missing ({SHARED_DATA}); the tests need it"
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _shared_data_untouched():
    """After the whole session: no shared file added or removed, and every file listed in SHA256SUMS unchanged."""
    before = {p for p in SHARED_DATA.rglob("*") if p.is_file()} if SHARED_DATA.is_dir() else set()
    yield
    if not SHARED_DATA.is_dir():
        return
    after = {p for p in SHARED_DATA.rglob("*") if p.is_file()}
    assert after == before, f"tests added/removed files in shared data: {sorted(map(str, after ^ before))}"
    sums = SHARED_DATA / "SHA256SUMS"
    changed = []
    for line in sums.read_text().splitlines() if sums.exists() else []:
        digest, _, name = line.partition("  ")
        target = SHARED_DATA / name.strip()
        if target.exists() and _sha256(target) != digest:
            changed.append(name)
    assert not changed, f"tests modified shared data: {changed}"


@pytest.fixture
def data_copy(shared_data: Path, tmp_path: Path):
    """``data_copy("water/x.csv")`` copies a shared file with all its sidecars (same stem) to tmp and returns it.

    A folder is copied whole. Tests work on the copy and can compare it with the original afterwards.
    """

    def copy(relpath: str) -> Path:
        src = shared_data / relpath
        dest_dir = tmp_path / "src"
        dest_dir.mkdir(exist_ok=True)
        if src.is_dir():
            target = dest_dir / src.name
            shutil.copytree(src, target)
            return target
        for sibling in src.parent.iterdir():
            if sibling.is_file() and (sibling.stem.lower() == src.stem.lower() or sibling == src):
                shutil.copy2(sibling, dest_dir / sibling.name)
        return dest_dir / src.name

    return copy


def snapshot(folder: Path) -> dict[str, str]:
    """name -> sha256 of every file below ``folder`` (to assert a source folder is byte-identical later)."""
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}

"""Check, at plugin load, that odl_geo and its libraries import in QGIS's Python, and say how to fix it.

QGIS ships its own Python on Windows (OSGeo4W) and uses the system one on Linux; geopandas/pyogrio are rarely
there. Failing with an ImportError traceback helps nobody: this module names what is missing and the exact
command for this platform.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

__all__ = ["REQUIRED", "MissingDependencies", "check_dependencies", "install_command"]

#: module -> pip requirement (numpy<2: QGIS's own GDAL bindings are built on numpy 1.x on Debian 12)
REQUIRED: dict[str, str] = {
    "numpy": "numpy<2",
    "shapely": "shapely>=2.0",
    "pyproj": "pyproj>=3.6",
    "pyogrio": "pyogrio>=0.10",
    "pyarrow": "pyarrow>=15,<23",
    "pandas": "pandas>=2.2",
    "geopandas": "geopandas>=1.1,<1.2",
    "requests": "requests>=2.32",
    "rich": "rich>=13",
    "odl_geo": "odl-geo",
}


@dataclass(frozen=True)
class MissingDependencies:
    missing: tuple[str, ...]  # pip requirements
    errors: tuple[str, ...]  # the import errors, for the log

    @property
    def ok(self) -> bool:
        return not self.missing


def check_dependencies() -> MissingDependencies:
    missing, errors = [], []
    for module, requirement in REQUIRED.items():
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - ImportError, or a binary incompatibility (numpy 2...)
            missing.append(requirement)
            errors.append(f"{module}: {type(exc).__name__}: {exc}")
    return MissingDependencies(tuple(missing), tuple(errors))


def install_command(requirements: tuple[str, ...]) -> str:
    """The command a user can paste: QGIS's own interpreter, user site (no admin rights needed)."""
    quoted = " ".join(f'"{r}"' for r in requirements)
    return f'"{sys.executable}" -m pip install --user {quoted}'

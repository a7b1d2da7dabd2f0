"""Check, when first needed (never at QGIS start-up), that odl_geo and its libraries work in the worker's Python.

The check runs in the worker interpreter (see ``worker.py``), never by importing the libraries into QGIS:
their GDAL/PROJ wheels must stay out of the QGIS process. Failing with an ImportError traceback helps nobody:
this names what is missing, in which Python; the plugin's settings page installs it into odl-geo's own
environment (toolbelt/environment.py), never with ``pip --user`` into a system Python (PEP 668).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REQUIRED", "MissingDependencies", "check_dependencies"]

#: module -> pip requirement (numpy<2: Debian's GDAL/QGIS bindings are built on numpy 1.x)
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
    "lxml": "lxml>=4.9",
    "owslib": "OWSLib>=0.31",  # Debian's 0.27 crashes on capabilities without keywords (environment.md)
    "jsonschema": "jsonschema>=4.18",  # the hiking schema's validator
    "frictionless": "frictionless>=5.18",  # the PEI / water points schemas' validator
    "odl_geo": "odl-geo",
}


@dataclass(frozen=True)
class MissingDependencies:
    python: str
    missing: tuple[str, ...]  # pip requirements
    errors: tuple[str, ...]  # the import errors, for the log

    @property
    def ok(self) -> bool:
        return not self.missing


def check_dependencies(python: str | None = None) -> MissingDependencies:
    """Whether odl-geo and its libraries work in ``python`` (default: the worker's); runs a subprocess, so call it
    from a task or a button, never while QGIS starts."""
    from ..worker import OdlGeoWorker

    worker = OdlGeoWorker(python=python)
    ok, text = worker.check_dependencies()
    if ok:
        return MissingDependencies(worker.python, (), ())
    lines = tuple(line for line in text.splitlines() if line.strip())
    modules = [line.split(":", 1)[0] for line in lines]
    missing = tuple(REQUIRED.get(m, m) for m in modules if m != "odl_geo") or ("odl-geo",)
    return MissingDependencies(worker.python, missing, lines)

"""Check, at plugin load, that odl_geo and its libraries import in the worker's Python, and say how to fix it.

The check runs in the worker interpreter (see ``worker.py``), never by importing the libraries into QGIS:
their GDAL/PROJ wheels must stay out of the QGIS process. Failing with an ImportError traceback helps nobody:
this names what is missing and the exact command to install it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

__all__ = [
    "REQUIRED",
    "MissingDependencies",
    "check_dependencies",
    "install_arguments",
    "install_command",
    "install_dependencies",
]

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


def check_dependencies() -> MissingDependencies:
    from ..worker import OdlGeoWorker

    worker = OdlGeoWorker()
    ok, text = worker.check_dependencies()
    if ok:
        return MissingDependencies(worker.python, (), ())
    lines = tuple(line for line in text.splitlines() if line.strip())
    modules = [line.split(":", 1)[0] for line in lines]
    missing = tuple(REQUIRED.get(m, m) for m in modules if m != "odl_geo") or ("odl-geo",)
    return MissingDependencies(worker.python, missing, lines)


def install_arguments(deps: MissingDependencies) -> list[str]:
    """pip in the worker's interpreter: into the user site (no admin rights), or into its virtualenv if it has one."""
    in_venv = (
        subprocess.run(
            [deps.python, "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        ).stdout.strip()
        == "True"
    )
    requirements = [r for r in deps.missing if r != "odl-geo"]
    return [deps.python, "-m", "pip", "install", "--disable-pip-version-check", *([] if in_venv else ["--user"]),
            *requirements]  # fmt: skip


def install_command(deps: MissingDependencies) -> str:
    """The command a person can paste in a terminal (the same one the Install button runs)."""
    return " ".join(f'"{a}"' if " " in a or "<" in a or ">" in a else a for a in install_arguments(deps))


def install_dependencies(deps: MissingDependencies, timeout_s: float = 900) -> tuple[bool, str]:
    """Run pip for what is missing; (success, pip's output for the log). Meant for a background task."""
    try:
        proc = subprocess.run(install_arguments(deps), capture_output=True, text=True, check=False, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return proc.returncode == 0, (proc.stdout + proc.stderr)[-20000:]

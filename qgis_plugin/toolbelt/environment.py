"""odl-geo's private Python environment: a virtualenv the plugin creates and owns in the QGIS profile folder.

Why a private venv: Debian 12 refuses ``pip install --user`` into the system Python (PEP 668,
externally-managed-environment), and installing into QGIS's own Python (OSGeo4W, the standalone installer) would
mix odl-geo's pinned libraries with QGIS's. A venv in ``<profile>/odl_geo/venv`` is the plugin's alone: it is made
from a Python the plugin finds (and names), filled with the pinned versions of ``requirements/lock.txt`` (shipped in
the plugin zip, so numpy<2, pandas and geopandas always come as one tested set: no flip-flop), and checked by
running the worker in it. Nothing here imports the libraries into QGIS.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings

from ..__about__ import DIR_PLUGIN_ROOT
from .i18n import tr

__all__ = [
    "SETTING_BASE",
    "SETTING_PYTHON",
    "SETTING_VERIFIED",
    "EnvironmentError_",
    "Interpreter",
    "env_dir",
    "explain_venv_failure",
    "find_base_python",
    "install_commands",
    "lock_file",
    "lock_hash",
    "mark_verified",
    "runtime_requirements",
    "venv_python",
    "verified_python",
]

SETTING_PYTHON = "odl_geo/python"  # an interpreter chosen by hand in the settings page (advanced)
SETTING_BASE = "odl_geo/base_python"  # the Python the private venv is made from, when the one found is not wanted
SETTING_VERIFIED = "odl_geo/verified"  # "<python>|<lock hash>" of the last successful check: no check at start-up
#: the plugin's extras beyond odl-geo's core (pyproject's ``plugin`` extra: frictionless, PostGIS drivers)
PLUGIN_EXTRAS = ("validate", "postgis")
MIN_PYTHON = (3, 11)


class EnvironmentError_(Exception):
    """The environment cannot be made; ``str()`` is the message for the person (translated by the caller)."""


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str  # "3.11.2"

    @property
    def label(self) -> str:
        return f"{self.path} (Python {self.version})"


def env_dir() -> Path:
    """``<QGIS profile>/odl_geo/venv``: per profile, so that a fresh profile starts without it."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "odl_geo" / "venv"


def venv_python(folder: Path | None = None) -> Path:
    folder = folder or env_dir()
    return folder / "Scripts" / "python.exe" if os.name == "nt" else folder / "bin" / "python"


def _version(python: str) -> str | None:
    try:
        res = subprocess.run(
            [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = res.stdout.strip()
    return out if res.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+", out) else None


def _candidates() -> list[str]:
    """Where a Python may be, most likely first: the setting, QGIS's own Python (OSGeo4W/standalone Windows:
    ``sys.prefix/python.exe``, since ``sys.executable`` is qgis-bin.exe there), Debian's, the PATH's."""
    out = [str(QgsSettings().value(SETTING_BASE, "") or "")]
    if Path(sys.executable).name.lower().startswith("python"):
        out.append(sys.executable)
    if os.name == "nt":
        out += [str(Path(sys.prefix) / "python.exe"), str(Path(sys.prefix) / "python3.exe")]
    else:
        out.append("/usr/bin/python3")
    out += [shutil.which("python3") or "", shutil.which("python") or ""]
    return list(dict.fromkeys(p for p in out if p))


def find_base_python() -> Interpreter:
    """The first Python, 3.11 or newer, that runs.

    :raises EnvironmentError_: none found (the message says which were tried and what to do).
    """
    tried = []
    for path in _candidates():
        version = _version(path)
        tried.append(f"{path}: {version or 'does not run'}")
        if version and tuple(int(x) for x in version.split(".")[:2]) >= MIN_PYTHON:
            return Interpreter(path, version)
    raise EnvironmentError_(
        tr("No Python 3.11 or newer was found ({0}). Choose one in the odl-geo settings page.").format("; ".join(tried))
    )


def explain_venv_failure(output: str, base: Interpreter) -> str:
    """What to do when ``python -m venv`` failed: Debian/Ubuntu ship venv in a separate package."""
    if "ensurepip" in output or "python3-venv" in output or "No module named venv" in output:
        short = ".".join(base.version.split(".")[:2])
        return tr("{0} cannot create virtual environments: the python3-venv package is missing. "
                  "Install it, then click Install the libraries again: {1}").format(
            base.path, f"sudo apt install python{short}-venv"
        )
    return tr("{0} could not create the environment: ").format(base.path) + output.strip()[-600:]


def lock_file() -> Path:
    """``requirements/lock.txt``: inside the packaged plugin, or the repository's in a development checkout."""
    for folder in (DIR_PLUGIN_ROOT / "requirements", DIR_PLUGIN_ROOT.parent / "requirements"):
        if (folder / "lock.txt").is_file():
            return folder / "lock.txt"
    raise EnvironmentError_(tr("{0} is missing from the plugin: reinstall the plugin.").format("requirements/lock.txt"))


def runtime_requirements() -> list[str]:
    """What the worker needs: odl-geo's dependencies and the plugin's extras, as pyproject.toml says (the packaged
    plugin carries them in ``requirements/runtime.txt``, written by scripts/package_plugin.py)."""
    packaged = DIR_PLUGIN_ROOT / "requirements" / "runtime.txt"
    if packaged.is_file():
        lines = packaged.read_text(encoding="utf-8").splitlines()
        return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    pyproject = DIR_PLUGIN_ROOT.parent / "pyproject.toml"
    if not pyproject.is_file():
        raise EnvironmentError_(
            tr("{0} is missing from the plugin: reinstall the plugin.").format("requirements/runtime.txt")
        )
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(req for name in PLUGIN_EXTRAS for req in extras.get(name, []))]


def lock_hash() -> str:
    return hashlib.sha256(lock_file().read_bytes()).hexdigest()[:16]


def _uv() -> str | None:
    """uv when it is there (3x faster than pip, and it needs no ensurepip); pip otherwise."""
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).with_name("uv.exe" if os.name == "nt" else "uv")
    return str(beside) if beside.is_file() else None


def install_commands(base: Interpreter, folder: Path, requirements_txt: Path) -> list[list[str]]:
    """The commands that make ``folder`` a venv from ``base`` and install the pinned requirements into it."""
    lock = str(lock_file())
    python = str(venv_python(folder))
    uv = _uv()
    if uv:
        return [
            [uv, "venv", "--python", base.path, "--allow-existing", str(folder)],
            [uv, "pip", "install", "--python", python, "--compile-bytecode", "-r", str(requirements_txt), "-c", lock],
        ]
    return [
        [base.path, "-m", "venv", str(folder)],
        [python, "-m", "pip", "install", "--disable-pip-version-check", "-r", str(requirements_txt), "-c", lock],
    ]


def mark_verified(python: str) -> None:
    QgsSettings().setValue(SETTING_VERIFIED, f"{python}|{lock_hash()}")


def verified_python() -> str:
    """The interpreter whose check succeeded with this lock ("" when none): no need to check it again."""
    value = str(QgsSettings().value(SETTING_VERIFIED, "") or "")
    python, _, digest = value.rpartition("|")
    try:
        return python if python and digest == lock_hash() else ""
    except EnvironmentError_:
        return ""

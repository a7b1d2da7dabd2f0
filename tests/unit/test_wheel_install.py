"""Issue 16: odl-geo installed from its wheel, outside the checkout, has everything a themed run needs.

The styles were once looked up at ``<repository>/styles``, which a wheel does not contain: installed with pip, a
hiking product went to GeoServer with no style at all, silently. This builds the wheel from a copy of the project's
files, installs it (without dependencies) into a fresh virtualenv that sees the project's environment for its
dependencies, and runs, from a folder outside the checkout, a themed conversion and a dry-run GeoServer publish.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CEVENNES = REPO / "examples" / "hiking" / "cevennes_itineraires.json"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "static")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a virtualenv where odl-geo's wheel, and only it, was installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "odl_geo", src / "odl_geo", ignore=IGNORE)
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(src)]
    subprocess.run([*build, "-w", str(tmp / "dist")], check=True, cwd=tmp, capture_output=True)
    (wheel,) = (tmp / "dist").glob("odl_geo-*.whl")
    venv = tmp / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    # the dependencies: the project's environment, after the new venv's own site-packages (where the wheel goes);
    # a path line only, so .venv's editable install of the checkout (a .pth *there*) is not run
    (site / "zz_odl_geo_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, cwd=tmp)
    return venv / "bin"


def _run(bin_dir: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(bin_dir / "odl-geo"), *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_wheel_converts_a_theme_and_plans_its_styles_outside_the_checkout(installed, tmp_path):
    where = subprocess.run(
        [str(installed / "python"), "-c", "import odl_geo, sys; print(odl_geo.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    assert where.startswith(str(installed.parent)) and str(REPO) not in where
    src = tmp_path / "cevennes_itineraires.json"
    shutil.copy2(CEVENNES, src)
    done = _run(installed, tmp_path, "convert", str(src), "--theme", "hiking", "--area", "occitanie", "--out", "publi")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "publi" / "cevennes_itineraires_hiking.gpkg").is_file()  # the default formats, gpkg included
    dry = _run(
        installed, tmp_path, "publish", "geoserver", "publi", "--url", "http://127.0.0.1:9/geoserver",
        "--workspace", "rando", "--dry-run", "--json",
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    result = json.loads(dry.stdout)
    assert result["warnings"] == []
    assert any("itineraire_randonnee" in line for line in result["planned_requests"]), result["planned_requests"]


def test_a_theme_whose_styles_are_missing_is_a_warning(installed, tmp_path):
    """The installed package's hiking styles removed (a broken install, a packaging mistake): said, not silent."""
    purelib = installed.parent / "lib"
    (styles,) = purelib.glob("python3*/site-packages/odl_geo/styles/hiking")
    moved = tmp_path / "hiking-styles"
    shutil.move(styles, moved)
    try:
        src = tmp_path / "cevennes_itineraires.json"
        shutil.copy2(CEVENNES, src)
        done = _run(installed, tmp_path, "convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", "o")
        assert done.returncode == 0, done.stderr
        dry = _run(
            installed, tmp_path, "publish", "geoserver", "o", "--url", "http://127.0.0.1:9/geoserver",
            "--workspace", "rando", "--dry-run", "--json",
        )  # fmt: skip
        assert dry.returncode == 0, dry.stderr
        (warning,) = json.loads(dry.stdout)["warnings"]
        assert "No SLD style found for the hiking theme" in warning
        assert "No SLD style found for the hiking theme" in dry.stderr
        assert not any("itineraire_randonnee" in line for line in json.loads(dry.stdout)["planned_requests"])
    finally:
        shutil.move(moved, styles)

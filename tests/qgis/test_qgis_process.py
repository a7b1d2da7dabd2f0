"""The packaged plugin zip, installed in a throwaway QGIS profile, runs its algorithms in qgis_process.

This is the real QGIS executable (qgis_process.bin; Debian's qgis_process wrapper passes a desktop-only
option), so it also proves that QGIS exits cleanly with the plugin loaded (no GDAL/PROJ wheel in-process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


@pytest.fixture(scope="module")
def qgis_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("qgis_process")
    res = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/package_plugin.py"),
            "--out",
            str(root / "dist"),
            "--install",
            str(root / "plugins"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    # a hermetic profile: no QGIS_* variable of the caller (e.g. QGIS_CUSTOM_CONFIG_PATH) may leak in
    env = {k: v for k, v in os.environ.items() if not k.startswith("QGIS_") and k != "PYTHONPATH"}
    env.update(
        HOME=str(root / "home"),
        QT_QPA_PLATFORM="offscreen",
        QGIS_PLUGINPATH=str(root / "plugins"),
        QGIS_CUSTOM_CONFIG_PATH=str(root / "profile"),
        ODL_GEO_PYTHON=sys.executable,
    )
    (root / "home").mkdir()
    enable = subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "odl_geo_qgis"], env=env, capture_output=True, text=True, check=False
    )
    assert enable.returncode == 0, enable.stderr[-2000:]
    return root, env


def test_zip_is_named_after_the_plugin_id_with_metadata_translations_and_library(qgis_env):
    root, _ = qgis_env
    (zip_path,) = (root / "dist").glob("odl_geo_qgis-*.zip")
    names = zipfile.ZipFile(zip_path).namelist()
    assert all(n.startswith("odl_geo_qgis/") for n in names)
    assert {
        "odl_geo_qgis/metadata.txt",
        "odl_geo_qgis/__init__.py",
        "odl_geo_qgis/resources/i18n/odl_geo_fr.qm",
        "odl_geo_qgis/vendor/odl_geo/conversion.py",
    } <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_algorithms_are_listed_and_convert_runs_with_clean_exit(qgis_env, shared_data, tmp_path):
    _, env = qgis_env
    listing = subprocess.run([QGIS_PROCESS, "list"], env=env, capture_output=True, text=True, check=False)
    assert listing.returncode == 0
    assert "odl_geo:convert" in listing.stdout and "odl_geo:inspect" in listing.stdout
    out = tmp_path / "out"
    run = subprocess.run(
        [
            QGIS_PROCESS,
            "--json",
            "run",
            "odl_geo:convert",
            "--",
            f"INPUT={shared_data / 'hiking/pnx_schema_randonnee_cevennes/exemple-valide.json'}",
            "FORMATS=0,1,2",
            "DECODE_HTML=true",
            f"OUTPUT={out}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]  # 134 (abort at exit) if GDAL wheels were loaded in QGIS
    result = json.loads(run.stdout)
    manifest = json.loads(Path(result["results"]["MANIFEST"]).read_text(encoding="utf-8"))
    assert {f["format"] for f in manifest["files"]} == {"gpkg", "geojson", "shp"}
    assert all(f["feature_count"] == 8 for f in manifest["files"])
    text = (out / "exemple-valide.geojson").read_text(encoding="utf-8")
    assert "&eacute;" not in text and "é" in text


def test_errors_come_back_as_clear_messages(qgis_env, data_copy, tmp_path):
    _, env = qgis_env
    src = data_copy("encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp")
    run = subprocess.run(
        [QGIS_PROCESS, "run", "odl_geo:convert", "--", f"INPUT={src}", "FORMATS=0", f"OUTPUT={tmp_path / 'o'}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "has no .prj file" in run.stdout + run.stderr and "--source-crs EPSG:2154" in run.stdout + run.stderr


def test_a_french_qgis_gets_the_french_plugin(qgis_env, tmp_path):
    """The plugin follows QGIS's locale setting (not the system's): with the profile in French, the algorithms'
    names and the failures are French, from the .qm built into the zip."""
    _, env = qgis_env
    french = tmp_path / "profile-fr"
    ini = french / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[locale]\noverrideFlag=true\nuserLocale=fr\n", encoding="utf-8")
    env = {**env, "QGIS_CUSTOM_CONFIG_PATH": str(french), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    enable = subprocess.run(
        [QGIS_PROCESS, "plugins", "enable", "odl_geo_qgis"], env=env, capture_output=True, text=True, check=False
    )
    assert enable.returncode == 0, enable.stderr[-2000:]
    listing = subprocess.run([QGIS_PROCESS, "list"], env=env, capture_output=True, text=True, check=False)
    assert "Convertir aux formats ouverts" in listing.stdout, listing.stdout[-2000:]
    assert "Publier sur GeoServer (WMS/WFS)" in listing.stdout and "Contrôler" in listing.stdout
    run = subprocess.run(
        [QGIS_PROCESS, "run", "odl_geo:convert", "--", f"INPUT={tmp_path / 'absent.shp'}", f"OUTPUT={tmp_path / 'o'}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "La source est introuvable : " in run.stdout + run.stderr, (run.stdout + run.stderr)[-2000:]

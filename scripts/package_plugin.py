"""Build the installable plugin zip: dist/odl_geo_qgis-<version>.zip holding one folder named after the plugin id.

The folder holds qgis_plugin/'s files, metadata.txt, the odl_geo library under vendor/ (used only when QGIS's
Python has no odl_geo of its own), the French translation compiled with lrelease, the LICENSE (EUPL-1.2), and
requirements/ (lock.txt and runtime.txt): third-party libraries (geopandas, pyogrio...) are not bundled, the plugin
installs those pinned versions into its own environment in the QGIS profile (qgis_plugin/toolbelt/environment.py).

Usage: .venv/bin/python scripts/package_plugin.py [--out DIR] [--install PROFILE_PLUGINS_DIR]
"""

from __future__ import annotations

import argparse
import configparser
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_ID = "odl_geo_qgis"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts", ".pytest_cache")


def version() -> str:
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(ROOT / "metadata.txt", encoding="utf-8")
    return cp["general"]["version"]


def runtime_requirements() -> list[str]:
    """odl-geo's dependencies and the plugin's extras (pyproject's ``plugin`` extra: validate, postgis)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(r for name in ("validate", "postgis") for r in extras.get(name, []))]


def stage(dest: Path) -> Path:
    folder = dest / PLUGIN_ID
    shutil.copytree(ROOT / "qgis_plugin", folder, ignore=IGNORE)
    shutil.copy2(ROOT / "metadata.txt", folder / "metadata.txt")
    shutil.copytree(ROOT / "odl_geo", folder / "vendor" / "odl_geo", ignore=IGNORE)
    # the per-theme SLD/QML styles travel inside the library (vendor/odl_geo/styles, found by odl_geo.profiles.styles)
    for ts in sorted((ROOT / "qgis_plugin" / "resources" / "i18n").glob("*.ts")):
        qm = folder / "resources" / "i18n" / ts.with_suffix(".qm").name
        subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(qm)], check=True)
    # odl-geo's private environment (qgis_plugin/toolbelt/environment.py) installs these, pinned by the lock
    (folder / "requirements").mkdir()
    shutil.copy2(ROOT / "requirements" / "lock.txt", folder / "requirements" / "lock.txt")
    (folder / "requirements" / "runtime.txt").write_text("\n".join(runtime_requirements()) + "\n", encoding="utf-8")
    for doc in ("LICENSE", "README.md"):
        if (ROOT / doc).exists():
            shutil.copy2(ROOT / doc, folder / doc)
    return folder


def build(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PLUGIN_ID}-{version()}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        folder = stage(Path(tmp))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(folder.parent))
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    ap.add_argument("--install", type=Path, metavar="PLUGINS_DIR",
                    help="also unzip into a QGIS profile's python/plugins folder (replacing an older copy)")
    args = ap.parse_args()
    zip_path = build(args.out)
    print(f"built {zip_path} ({zip_path.stat().st_size / 1e3:.0f} kB)")
    if args.install:
        args.install.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(args.install / PLUGIN_ID, ignore_errors=True)
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(args.install)
        print(f"installed into {args.install / PLUGIN_ID}; enable it in Plugins > Manage and Install Plugins")
    return 0


if __name__ == "__main__":
    sys.exit(main())

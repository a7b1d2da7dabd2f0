"""Plugin metadata, read once from ``metadata.txt`` (the single version source)."""

from __future__ import annotations

import configparser
from pathlib import Path

__all__ = ["DIR_PLUGIN_ROOT", "PLUGIN_ID", "metadata"]

DIR_PLUGIN_ROOT = Path(__file__).resolve().parent
PLUGIN_ID = "odl_geo_qgis"


def _metadata_path() -> Path:
    # packaged: metadata.txt sits in the plugin folder; in the repository: one level up
    for candidate in (DIR_PLUGIN_ROOT / "metadata.txt", DIR_PLUGIN_ROOT.parent / "metadata.txt"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("metadata.txt not found next to the plugin")


def metadata() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(_metadata_path(), encoding="utf-8")
    return parser["general"]


__version__ = metadata()["version"]
__title__ = metadata()["name"]

"""File names that every system accepts, made from layer and source names.

At the base because readers (a zip member extracted under a safe name), writers and theme products must agree on
the same stem for the same layer: the manifest and the publishers find files by it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["THEME_KEYWORD_PREFIX", "display_name", "safe_file_stem", "theme_keyword"]

#: the WMS keyword every layer of a theme carries (QGIS Server projects, GeoServer feature types): the web map
#: ``<odl-map theme="water">`` picks its layers by it from GetCapabilities
THEME_KEYWORD_PREFIX = "odl-geo:theme="


def display_name(source: Path) -> str:
    """A source's name: its last part, or the folder's resolved name when given as ``.``/``..`` (whose name is empty
    or ``..``: a user inside the folder would read "error:  cannot be published")."""
    if source.name in ("", ".."):  # pathlib drops a "." part: "." and "a/." name "" and "a"
        folder = source.resolve()
        return folder.name or str(folder)
    return source.name


def safe_file_stem(name: str) -> str:
    """A file name stem that every OS, zip tool and web server accepts (accents folded, no spaces)."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    flat = re.sub(r"[^A-Za-z0-9._-]+", "_", flat).strip("._")
    return flat or "layer"


def theme_keyword(theme: str) -> str:
    """``odl-geo:theme=water``: the keyword of the layers of a theme (one spelling for servers and web map)."""
    return f"{THEME_KEYWORD_PREFIX}{theme}"

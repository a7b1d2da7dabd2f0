"""Where a theme's map styles are: the one lookup used by ``serve`` (QML), the GeoServer plan (SLD) and the
QGIS plugin's dialog.

The styles ship inside the package (``odl_geo/styles/<theme>/``, package data), so an installed wheel has them as
the checkout does; ``$ODL_GEO_STYLES`` (or an explicit folder) points elsewhere, e.g. to a local authority's own
styles. ``styles/`` at the repository's root links to the packaged folders for the style tooling and its docs.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PACKAGED_STYLES", "STYLES_ENV", "styles_root", "theme_style_dir"]

#: the styles shipped with odl-geo
PACKAGED_STYLES = Path(__file__).resolve().parents[1] / "styles"
#: environment variable naming another styles root (same layout: one folder per theme)
STYLES_ENV = "ODL_GEO_STYLES"


def styles_root(styles_dir: str | Path | None = None) -> Path | None:
    """``styles_dir``, else ``$ODL_GEO_STYLES``, else the packaged styles (None when none of them exists)."""
    for candidate in (styles_dir, os.environ.get(STYLES_ENV), PACKAGED_STYLES):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def theme_style_dir(theme: str, suffix: str, styles_dir: str | Path | None = None) -> Path | None:
    """The folder of ``theme``'s styles holding at least one ``*suffix`` file (``.sld``, ``.qml``), or None."""
    root = styles_root(styles_dir)
    folder = root / theme if root is not None else None
    if folder is None or not folder.is_dir() or not any(folder.glob(f"*{suffix}")):
        return None
    return folder

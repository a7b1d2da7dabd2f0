"""What an earlier conversion left in an output folder, so that a new one replaces it instead of adding to it.

Publishers take every GeoPackage of a conversion folder (theme products included). When a person converts another
layer into the same folder, the earlier layer's files would be published again under their old names. Only files
an earlier odl-geo run listed in the folder's ``manifest.json`` are ever removed: never a file odl-geo did not write.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["listed_outputs", "remove_stale_outputs"]

MANIFEST = "manifest.json"  # = exports.manifest.MANIFEST_NAME; not imported, this module stays dependency-free


def listed_outputs(folder: Path) -> set[Path]:
    """The files the folder's manifest lists (inside the folder only), or nothing without a readable manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    root = folder.resolve()
    found = set()
    for entry in manifest.get("files", []) if isinstance(manifest, dict) else []:
        name = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            continue
        path = (root / name).resolve()
        if path.parent == root:  # a manifest never sends a removal outside its folder
            found.add(path)
    return found


def remove_stale_outputs(folder: Path, before: set[Path]) -> list[Path]:
    """Remove the files of ``before`` (``listed_outputs`` taken before the conversion) that the new manifest does
    not list: they belong to the earlier conversion only. Called after a successful conversion, so that a failed one
    leaves the earlier outputs in place. Returns what was removed."""
    keep = listed_outputs(folder)
    removed = []
    for path in sorted(before - keep):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed

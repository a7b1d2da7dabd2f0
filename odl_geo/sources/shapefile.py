"""Shapefile sidecars: what is missing, what it means, and how to read what is there.

GDAL lets several broken sets pass silently (no .dbf: geometry only; .dbf alone: a table) or refuses
them with a message about config options (no .shx). This module turns each case into a decision and an
issue a person understands, and never writes next to the source: a missing .shx is rebuilt in a
temporary copy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..checks.report import Issue, Severity
from .encoding import LDID_NAMES, EncodingGuess, read_dbf_language_id, sniff_dbf

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["ShapefileParts", "find_parts", "guess_dbf_encoding", "restore_shx_copy"]


def _sidecar(path: Path, ext: str) -> Path | None:
    """Sidecar with the same stem, any case (Windows users ship .SHP/.DBF)."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    stem = path.stem.lower()
    for sibling in path.parent.iterdir():
        if sibling.stem.lower() == stem and sibling.suffix.lower() == ext:
            return sibling
    return None


@dataclass
class ShapefileParts:
    shp: Path | None
    shx: Path | None
    dbf: Path | None
    prj: Path | None
    cpg: Path | None
    issues: list[Issue] = field(default_factory=list)


def find_parts(path: Path, layer: str) -> ShapefileParts:
    """Locate the sidecars of ``path`` (.shp or .dbf) and describe what is missing."""
    parts = ShapefileParts(
        shp=path if path.suffix.lower() == ".shp" else _sidecar(path, ".shp"),
        shx=_sidecar(path, ".shx"),
        dbf=path if path.suffix.lower() == ".dbf" else _sidecar(path, ".dbf"),
        prj=_sidecar(path, ".prj"),
        cpg=_sidecar(path, ".cpg"),
    )
    if parts.shp is None:
        parts.issues.append(
            Issue(
                "SHP_TABLE_ONLY",
                Severity.WARNING,  # shown by default: a .dbf given alone is often a .shp forgotten
                f"{path.name} has no .shp beside it: it is read as a table without geometry.",
                "If this table belongs to a layer (e.g. a COVADIS multi-hazard table), join it to that layer.",
                layer=layer,
            )
        )
    elif parts.dbf is None:
        parts.issues.append(
            Issue(
                "SHP_NO_DBF",
                Severity.WARNING,
                f"{parts.shp.name} has no .dbf: only the geometries can be read, every attribute is missing.",
                "Find the .dbf that came with the file (same name) and put it beside the .shp.",
                layer=layer,
            )
        )
    if parts.shp is not None and parts.shx is None:
        parts.issues.append(
            Issue(
                "SHP_NO_SHX",
                Severity.WARNING,
                f"{parts.shp.name} has no .shx index: it was rebuilt in a temporary copy (the source is untouched).",
                "Ship the .shx with the layer next time.",
                layer=layer,
            )
        )
    return parts


def restore_shx_copy(parts: ShapefileParts, workdir: Path) -> Path:
    """Copy the set into ``workdir`` so GDAL can rebuild the .shx there; return the copied .shp."""
    assert parts.shp is not None
    stem = parts.shp.stem
    for part in (parts.shp, parts.dbf, parts.prj, parts.cpg):
        if part is not None:
            shutil.copyfile(part, workdir / f"{stem}{part.suffix.lower()}")
    return workdir / f"{stem}.shp"


def guess_dbf_encoding(parts: ShapefileParts, user_encoding: str | None) -> EncodingGuess | None:
    """Decide the attribute encoding: user > .cpg > language id > content sniffing."""
    if parts.dbf is None:
        return None
    if user_encoding:
        return EncodingGuess(user_encoding.upper(), "user")
    if parts.cpg is not None:
        declared = parts.cpg.read_bytes().decode("ascii", "replace").strip() or None
        if declared:
            return EncodingGuess(_normalise_cpg(declared), "cpg", declared)
    ldid = read_dbf_language_id(parts.dbf)
    if ldid in LDID_NAMES:
        return EncodingGuess(LDID_NAMES[ldid], "ldid", f"LDID {ldid}")
    return EncodingGuess(sniff_dbf(parts.dbf), "detected")


def _normalise_cpg(value: str) -> str:
    v = value.upper().replace("_", "-")
    if v in ("UTF8", "UTF-8", "65001"):
        return "UTF-8"
    if v.isdigit():  # ESRI writes bare code pages: 1252, 28591...
        return {"28591": "ISO-8859-1", "28605": "ISO-8859-15"}.get(v, f"CP{v}")
    if v.startswith("WINDOWS-"):
        return "CP" + v.split("-", 1)[1]
    return v

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

from ..report import Issue, Severity
from .encoding import LDID_NAMES, EncodingGuess, read_dbf_language_id, sniff_dbf

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["ShapefileParts", "attribute_encoding", "find_parts", "guess_dbf_encoding", "restore_shx_copy"]


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


def attribute_encoding(
    parts: ShapefileParts, guess: EncodingGuess | None, issues: list[Issue], layer: str
) -> tuple[str | None, EncodingGuess | None]:
    """Encoding to hand to GDAL (None = let GDAL use .cpg/LDID), and the guess to report.

    A .cpg is checked against the bytes both ways (UTF-8 declared on CP1252 text, a code page on UTF-8 text);
    a guess from the bytes alone is reported (``ENCODING_GUESSED``).
    """
    if guess is None or parts.dbf is None:
        return None, guess
    if guess.how == "user":
        return guess.encoding, guess
    if guess.how == "cpg":
        content = sniff_dbf(parts.dbf)
        if guess.encoding == "UTF-8" and content == "CP1252":
            issues.append(
                Issue(
                    "ENCODING_CPG_WRONG",
                    Severity.WARNING,
                    f"{parts.dbf.name}: the .cpg says UTF-8 but the text is not UTF-8; it was read as CP1252.",
                    "Fix or delete the .cpg file, or give --encoding.",
                    layer=layer,
                )
            )
            return "CP1252", EncodingGuess("CP1252", "detected", guess.declared)
        if content == "UTF-8" and _single_byte(guess.encoding):
            # Latin-1/CP1252 text almost never forms valid multi-byte UTF-8 sequences: the .cpg is wrong, and
            # honouring it would turn every accent into two characters ("PhilippidÃ¨s")
            issues.append(
                Issue(
                    "ENCODING_CPG_WRONG",
                    Severity.WARNING,
                    f"{parts.dbf.name}: the .cpg says {guess.declared} but the text is UTF-8; it was read as UTF-8.",
                    "Fix the .cpg file (it should say UTF-8) or delete it, or give --encoding.",
                    layer=layer,
                )
            )
            return "UTF-8", EncodingGuess("UTF-8", "detected", guess.declared)
        return None, guess
    if guess.how == "ldid":
        return None, guess
    if guess.encoding == "ASCII":
        return None, guess
    issues.append(
        Issue(
            "ENCODING_GUESSED",
            Severity.INFO,
            f"{parts.dbf.name} does not declare its encoding (no .cpg); the text was detected as {guess.encoding}.",
            "Add a .cpg file or use --encoding if accents look wrong.",
            layer=layer,
        )
    )
    return guess.encoding, guess


def _single_byte(encoding: str) -> bool:
    """A one-byte-per-character code page (CP1252, ISO-8859-15, CP850...), as opposed to UTF-8 or CP932.

    The two bytes of UTF-8's "é" read as two characters in such a code page, as one in a multi-byte one.
    """
    try:
        return len(b"\xc3\xa9".decode(encoding, errors="replace")) == 2
    except LookupError:
        return False

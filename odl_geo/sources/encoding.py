"""Guess the text encoding of Shapefile attribute tables and text sources.

Real French layers are CP1252/Latin-1 or UTF-8, often without any declaration (no ``.cpg``, dBase
language driver id 0). GDAL then passes bytes through unchanged and every accent breaks. The rule here is
deliberately simple and explainable: bytes that decode as UTF-8 *and* contain non-ASCII are UTF-8
(Latin-1 text almost never forms valid UTF-8 sequences); otherwise CP1252, the Windows superset of
Latin-1 that French desktops write.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "EncodingGuess",
    "guess_bytes_encoding",
    "read_dbf_language_id",
    "sniff_dbf",
    "sniff_text",
    "sniff_text_file",
]

SAMPLE_BYTES = 4 * 1024 * 1024

#: dBase language driver ids that GDAL understands and recodes by itself
LDID_NAMES = {
    0x57: "CP1252",
    0x03: "CP1252",
    0x01: "CP437",
    0x02: "CP850",
    0x26: "CP866",
    0x4D: "CP936",
    0xC8: "CP1250",
    0xC9: "CP1251",
    0xCA: "CP1254",
    0xCB: "CP1253",
    0x13: "CP932",
}


@dataclass(frozen=True)
class EncodingGuess:
    """An encoding and how it was found (shown in ``inspect`` and reports)."""

    encoding: str  # Python/GDAL name, e.g. "UTF-8", "CP1252", "ASCII"
    how: str  # "cpg", "ldid", "bom", "detected", "user", "default"
    declared: str | None = None  # what the file declared, if anything

    @property
    def needs_recoding(self) -> bool:
        return self.encoding.upper() not in ("UTF-8", "ASCII")


def guess_bytes_encoding(sample: bytes) -> str:
    """'ASCII', 'UTF-8' or 'CP1252' for a sample of bytes (truncated multi-byte tail tolerated)."""
    if sample.isascii():
        return "ASCII"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "CP1252"
    return "UTF-8"


def read_dbf_language_id(dbf: Path) -> int:
    with dbf.open("rb") as fh:
        head = fh.read(32)
    return head[29] if len(head) >= 30 else 0


def sniff_dbf(dbf: Path) -> str:
    """Guess the encoding of a .dbf from its field names and first records."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return "ASCII"
        header_len, record_len = struct.unpack("<HH", head[8:12])
        rest_of_header = fh.read(max(header_len - 32, 0))
        records = fh.read(min(SAMPLE_BYTES, max(record_len, 1) * 20000))
    names = b"".join(rest_of_header[i : i + 11].split(b"\0")[0] for i in range(0, len(rest_of_header) - 31, 32))
    return guess_bytes_encoding(names + b" " + records)


def sniff_text_file(path: Path) -> EncodingGuess:
    """Encoding of a text source (CSV, GeoJSON, MIF): BOM first, then content."""
    with path.open("rb") as fh:
        return sniff_text(fh.read(SAMPLE_BYTES))


def sniff_text(sample: bytes) -> EncodingGuess:
    """Encoding of the first bytes (up to :data:`SAMPLE_BYTES`) of a text source, e.g. a zip member."""
    if sample.startswith(codecs.BOM_UTF8):
        return EncodingGuess("UTF-8", "bom")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return EncodingGuess("UTF-16", "bom")
    found = guess_bytes_encoding(sample)
    return EncodingGuess(found, "detected")

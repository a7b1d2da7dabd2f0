"""Recognising and undoing encoding damage ("mojibake"): UTF-8 bytes shown as Windows-1252 or Latin-1 text.

``é`` is two bytes in UTF-8 (``C3 A9``); read as Windows-1252 they become ``Ã©``. The pattern below looks for
those tell-tale pairs (``Ã`` or ``Â`` followed by a character of the upper Windows-1252 half, ``â€`` for curly
quotes and dashes), which do not occur in correct French text, so false alarms are rare.
"""

from __future__ import annotations

import re

__all__ = ["MOJIBAKE", "REPLACEMENT", "redecode"]

_HIGH = (
    "\u00a0-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152"
    "\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
)
MOJIBAKE = re.compile(f"[\u00c3\u00c2][{_HIGH}]|\u00e2\u20ac[\u2122\u0153\u00a6\u201c\u201d\u02dc\u2018\u2019\u00a2]")
REPLACEMENT = "\ufffd"  # what a decoder puts for bytes it could not read: the original text is lost


def redecode(text: str) -> str | None:
    """The text as it was meant, or None when re-decoding does not give clean UTF-8."""
    for enc in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if not MOJIBAKE.search(fixed):
            return fixed
    return None

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


MAX_ROUNDS = 3  # "Ã©" is one wrong decoding, "ÃƒÂ©" two (a file converted twice); more is not seen in practice


def _as_read(text: str) -> bytes | None:
    """The bytes that a Windows-1252 reader turned into ``text``; the five bytes Windows-1252 leaves undefined
    (0x81, 0x8D, 0x8F, 0x90, 0x9D) come through as the Latin-1 characters of the same value."""
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


def redecode(text: str) -> str | None:
    """The text as it was meant, or None when re-decoding does not give clean UTF-8.

    Decoding is repeated while the result still shows damage (up to :data:`MAX_ROUNDS` times), so that text
    converted twice (``ÃƒÂ©``) comes back in one fix (``é``).
    """
    current = text
    for _ in range(MAX_ROUNDS):
        raw = _as_read(current)
        if raw is None:
            return None
        try:
            current = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not MOJIBAKE.search(current):
            return current
    return None

"""Counts written for people: ``1 004`` in French, ``1,004`` in English.

Why a module of its own at the base: the command line's summary, its issue list and the HTML report all write
counts, and they must agree (a French report once said "objets 4,995,105" and "20 modification(s) sur 33973"
while the terminal said "4 995 105"). It imports nothing, so the command line can use it without loading the
data stack (``odl_geo.values`` loads pandas).
"""

from __future__ import annotations

__all__ = ["NARROW_NBSP", "count_text"]

#: what French typography and CLDR's ``fr`` locale put between groups of thousands: a narrow no-break space
NARROW_NBSP = "\u202f"


def count_text(n: int, lang: str = "fr") -> str:
    """``n`` grouped by thousands the way ``lang`` writes it (French unless ``lang`` is ``"en"``)."""
    text = f"{n:,}"
    return text if lang == "en" else text.replace(",", NARROW_NBSP)

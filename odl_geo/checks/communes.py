"""The French communes (INSEE Code officiel géographique) shipped in ``checks/data`` (see its README.md).

Loaded once, on first use, so that commands that do not check INSEE codes do not pay for it. The table stays the
UTF-8 text of the file (1 MB, found by binary search on its sorted codes) and gives a :class:`Commune` per look-up:
as a dict of 37,000 :class:`Commune` objects it held 19 MB for the whole of a theme run (issue 16: every MB of a
run's fixed memory is taken from the chunk's budget).
"""

from __future__ import annotations

import bisect
import gzip
from array import array
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate

__all__ = ["Commune", "CommuneTable", "communes", "departements", "regions"]

COG_VINTAGE = "2026"  # millésime of the table (npm @etalab/decoupage-administratif 6.0.0)


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    departement: str
    region: str
    kind: str  # A current, M municipal arrondissement, D commune déléguée, S commune associée
    parent: str  # the current commune of a D/S, the city of an M


def _data(name: str) -> bytes:
    return (resources.files("odl_geo.checks") / "data" / name).read_bytes()


CODE_LEN = 5  # every INSEE code of the COG has five characters (2A004, 97101)


class CommuneTable(Mapping[str, Commune]):
    """INSEE code -> :class:`Commune`, read-only, built from the table's lines (sorted by code, no header)."""

    def __init__(self, lines: list[bytes]) -> None:
        self._text = b"\n".join(lines)
        self._starts = array("L", accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self._ends = array("L", (s + len(line) for s, line in zip(self._starts, lines, strict=True)))
        self._codes = [line[:CODE_LEN].decode("ascii") for line in lines]  # for bisect: 2 MB, a dict would be 4
        if any(len(line.split(b"\t", 1)[0]) != CODE_LEN for line in lines) or any(
            a >= b for a, b in zip(self._codes, self._codes[1:], strict=False)
        ):
            raise ValueError("the commune table is not sorted by five-character codes")

    def _row(self, i: int) -> Commune:
        code, nom, dep, reg, kind, parent = self._text[self._starts[i] : self._ends[i]].decode("utf-8").split("\t")
        return Commune(code, nom, dep, reg, kind, parent)

    def _find(self, code: object) -> int:
        if not isinstance(code, str) or len(code) != CODE_LEN:
            return -1
        i = bisect.bisect_left(self._codes, code)
        return i if i < len(self._codes) and self._codes[i] == code else -1

    def __getitem__(self, code: str) -> Commune:
        i = self._find(code)
        if i < 0:
            raise KeyError(code)
        return self._row(i)

    def __contains__(self, code: object) -> bool:
        return self._find(code) >= 0

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def rows(self) -> Iterator[Commune]:
        """Every commune, in code order."""
        return (Commune(*line.split("\t")) for line in self._text.decode("utf-8").split("\n"))

    def items(self) -> ItemsView[str, Commune]:
        return _Items(self)

    def values(self) -> ValuesView[Commune]:
        return _Values(self)


class _Items(ItemsView[str, Commune]):
    _mapping: CommuneTable

    def __iter__(self) -> Iterator[tuple[str, Commune]]:
        return ((row.code, row) for row in self._mapping.rows())  # no search per code


class _Values(ValuesView[Commune]):
    _mapping: CommuneTable

    def __iter__(self) -> Iterator[Commune]:
        return self._mapping.rows()


@cache
def communes() -> CommuneTable:
    """INSEE code -> commune."""
    return CommuneTable(gzip.decompress(_data("communes.tsv.gz")).splitlines()[1:])


@cache
def departements() -> dict[str, tuple[str, str]]:
    """Département code -> (name, région code)."""
    rows = _data("departements.tsv").decode("utf-8").splitlines()[1:]
    return {r.split("\t")[0]: (r.split("\t")[1], r.split("\t")[2]) for r in rows}


@cache
def regions() -> dict[str, str]:
    """Région code -> name."""
    rows = _data("regions.tsv").decode("utf-8").splitlines()[1:]
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows}

"""The French communes (INSEE Code officiel géographique) shipped in ``checks/data`` (see its README.md).

Loaded once, on first use (about 40 ms), so that commands that do not check INSEE codes do not pay for it.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Commune", "communes", "departements", "regions"]

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


@cache
def communes() -> dict[str, Commune]:
    """INSEE code -> commune."""
    lines = gzip.decompress(_data("communes.tsv.gz")).decode("utf-8").splitlines()[1:]
    out = {}
    for line in lines:
        code, nom, dep, reg, kind, parent = line.split("\t")
        out[code] = Commune(code, nom, dep, reg, kind, parent)
    return out


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

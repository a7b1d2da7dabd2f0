"""Build odl_geo/checks/data/communes.tsv.gz from the npm package @etalab/decoupage-administratif.

The INSEE checks need the list of French communes offline (no network in production either). The npm package
``@etalab/decoupage-administratif`` ships INSEE's Code officiel géographique as JSON (data: Licence Ouverte,
code: MIT). This script keeps only what the checks use, so the table stays small (~250 kB gzipped)::

    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-*.tgz
    .venv/bin/python tools/build_communes.py "$PWD/package" odl_geo/checks/data

Columns of ``communes.tsv.gz``: code, nom, departement, region, kind (A current commune, M municipal
arrondissement of Paris/Lyon/Marseille, D commune déléguée, S commune associée), parent (the current commune
that absorbed a D/S, or the city of an M). ``departements.tsv``: code, nom, region. ``regions.tsv``: code, nom.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

KIND = {"commune-actuelle": "A", "arrondissement-municipal": "M", "commune-deleguee": "D", "commune-associee": "S"}
ORDER = {"A": 0, "M": 1, "D": 2, "S": 3}


def main(package: Path, out: Path) -> None:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    communes = json.loads((package / "data" / "communes.json").read_text(encoding="utf-8"))
    best: dict[str, tuple[str, ...]] = {}
    for c in communes:
        kind = KIND[c["type"]]
        parent = c.get("chefLieu") or c.get("commune") or ""
        row = (
            c["code"],
            c["nom"],
            c.get("departement", ""),
            c.get("region", ""),
            kind,
            parent if parent != c["code"] else "",
        )
        if c["code"] not in best or ORDER[kind] < ORDER[best[c["code"]][4]]:
            best[c["code"]] = row
    lines = ["code\tnom\tdepartement\tregion\tkind\tparent"] + ["\t".join(r) for _, r in sorted(best.items())]
    with gzip.GzipFile(out / "communes.tsv.gz", "wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    deps = json.loads((package / "data" / "departements.json").read_text(encoding="utf-8"))
    (out / "departements.tsv").write_text(
        "code\tnom\tregion\n" + "".join(f"{d['code']}\t{d['nom']}\t{d.get('region', '')}\n" for d in deps),
        encoding="utf-8",
    )
    regs = json.loads((package / "data" / "regions.json").read_text(encoding="utf-8"))
    (out / "regions.tsv").write_text(
        "code\tnom\n" + "".join(f"{r['code']}\t{r['nom']}\n" for r in regs), encoding="utf-8"
    )
    print(f"{len(best)} codes from {meta['name']}@{meta['version']} -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

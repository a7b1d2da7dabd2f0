#!/usr/bin/env python3
"""Write docs/metadata/sample-hiking.xml and .jsonld: the record `odl-geo metadata` writes for the bundled hiking
sample (examples/hiking with its metadata.toml, publication links added, the date fixed), shown in docs/metadata.md.

``--check`` exits 1 when the committed samples are out of date (a unit test runs it), so the documentation always
shows what odl-geo writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "metadata"
DAY = dt.date(2026, 1, 15)
LINKS = {
    "wms": "https://geo.exemple-cevennes.fr/geoserver/ows",
    "wfs": "https://geo.exemple-cevennes.fr/geoserver/ows",
    "workspace": "randonnee",
    "download": "https://donnees.exemple-cevennes.fr/randonnee/",
    "datagouv": "https://www.data.gouv.fr/fr/datasets/itineraires-de-randonnee-du-parc-national-des-cevennes/",
}


def build() -> dict[str, bytes]:
    from odl_geo.cli.main import run_argv
    from odl_geo.metadata import parse_metadata, prepare_record

    with tempfile.TemporaryDirectory(prefix="odl-metadata-sample-") as tmp:
        src = Path(tmp) / "cevennes_itineraires.json"
        shutil.copy(REPO / "examples/hiking/cevennes_itineraires.json", src)
        out = Path(tmp) / "out"
        argv = ["convert", str(src), "--theme", "hiking", "--area", "occitanie", "--to", "gpkg,geojson", "--out"]
        code, _result, error = run_argv([*argv, str(out)])
        if code != 0:
            raise SystemExit(f"conversion failed: {error}")
        table = tomllib.loads((REPO / "examples/hiking/metadata.toml").read_text("utf-8"))
        result = prepare_record(out, parse_metadata({**table, "links": LINKS}), today=DAY)
    return {"sample-hiking.xml": result.xml, "sample-hiking.jsonld": result.jsonld}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed samples are out of date")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [n for n, data in files.items() if not (OUT / n).is_file() or (OUT / n).read_bytes() != data]
        if stale:
            print(f"out of date: {', '.join(stale)} (run scripts/make_metadata_sample.py)", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

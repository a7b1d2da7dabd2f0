"""Issue #14, item 2's rule for values: what the source holds and the outputs would not is an error.

Two CSV cases crafted here: a value that does not fit the type GDAL guessed from the first 100 kB of the file
(GDAL drops it with a one-time warning), and a non-number among decimal-comma numbers (odl-geo's own conversion
would empty it). Both are exit 2, nothing written, the source untouched; ``--accept-loss`` writes them empty.
"""

from __future__ import annotations

import csv
import hashlib
from typing import TYPE_CHECKING

import pytest

from odl_geo import ConvertOptions, InputError, ReadOptions, convert
from odl_geo.cli.main import main

if TYPE_CHECKING:
    from pathlib import Path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_value_gdal_would_drop_is_an_error(tmp_path: Path, capsys) -> None:
    src = tmp_path / "mesures.csv"
    rows = ["nom;lon;lat;mesure", *(f"p{i};3,{i % 1000:03d};43,6;{i % 50},5" for i in range(100_000))]
    rows.append("dernier;3,5;43,6;n/a")  # far past the rows GDAL types the column from
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    digest = sha(src)
    out = tmp_path / "out"
    assert main(["convert", str(src), "--to", "csv", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "does not fit the type of its column" in err and "field mesure" in err and ".csvt" in err
    assert not out.exists() and sha(src) == digest
    assert main(["convert", str(src), "--to", "csv", "--out", str(out), "--accept-loss"]) == 0
    last = list(csv.DictReader((out / "mesures.csv").open(encoding="utf-8")))[-1]
    assert last["nom"] == "dernier" and last["mesure"] == ""


def test_a_non_number_among_decimal_commas_is_an_error(tmp_path: Path) -> None:
    src = tmp_path / "debits.csv"
    rows = ["nom;lon;lat;debit", *(f"p{i};3,8;43,6;{i},5" for i in range(30)), "x;3,8;43,6;inconnu"]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    digest = sha(src)
    out = tmp_path / "out"
    small = ConvertOptions(batch_size=10)  # the column is recognised on the first batch, the text comes later
    lost = r"1 value of 'debit' is not a number and was left empty \(its column holds numbers"
    with pytest.raises(InputError, match=lost) as err:
        convert(src, out, ["geojson"], options=small)
    assert err.value.details == "FIELD_NOT_A_NUMBER"
    assert not out.exists() and sha(src) == digest
    manifest = convert(src, out, ["geojson"], ReadOptions(accept_loss=True), small)
    assert any(i.code == "FIELD_NOT_A_NUMBER" for i in manifest.report.issues)

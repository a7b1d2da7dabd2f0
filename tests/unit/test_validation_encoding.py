"""The CSV products are validated as what they are, UTF-8: frictionless is told the encoding of a text the run
wrote itself, and its detector (chardet: ~26 MB of models, ~2.5 s a million PEI rows) is never loaded by a theme
run. A source in another encoding is still reported as such (that finding is the reader's, ``ENCODING_TRANSCODED``,
not the validation's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from odl_geo.profiles import products, validation

REPO = Path(__file__).resolve().parents[2]

DESCRIPTOR = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "type_pei", "type": "string", "constraints": {"required": True, "enum": ["PI", "BI"]}},
        {"name": "nom", "type": "string"},
    ]
}


def _utf7_looking_rows(n: int) -> list[list[str]]:
    # ASCII text that chardet reads as UTF-7 (the name then says "Poteau près de l'église"), and "P+AEk-", not a
    # PEI type as written, is then "PI"
    return [[f"p{i}", "P+AEk-" if i % 3 == 0 else "PI", "Poteau pr+AOg-s de l+IBk-+AOk-glise"] for i in range(n)]


def test_the_product_is_judged_as_written_not_as_chardet_would_read_it(tmp_path: Path) -> None:
    rows = _utf7_looking_rows(60)
    header = [f["name"] for f in DESCRIPTOR["fields"]]
    path = tmp_path / "table.csv"
    products.write_csv(header, rows, path)
    # what frictionless left to guess does: the whole file read as UTF-7, every cell a valid type
    guessed, encoding = products.table_errors(path, DESCRIPTOR)
    assert (guessed, encoding) == ([], "utf-7")
    told = products.validate_rows(header, rows, DESCRIPTOR)
    assert sorted(f for f, *_ in told) == list(range(0, 60, 3))
    assert {(where, rule) for _, where, rule, _ in told} == {("type_pei", "constraint-error")}
    assert products.table_errors(path, DESCRIPTOR, encoding="utf-8") == (told, "utf-8")


def test_the_fast_path_gives_the_findings_of_frictionless_told_the_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "SMALL_LAYER", 0)
    monkeypatch.setattr(validation, "PREFIX_ROWS", 3)
    monkeypatch.setattr(validation, "SAMPLE_ROWS", 3)
    whole: list[int] = []
    official = products.validate_rows
    monkeypatch.setattr(products, "validate_rows", lambda h, r, d: whole.append(1) or official(h, r, d))
    rows = _utf7_looking_rows(400)
    header = [f["name"] for f in DESCRIPTOR["fields"]]
    fast = validation.validate_table_rows(header, rows, DESCRIPTOR)
    assert not whole  # the fast path ran: the table no longer goes whole when chardet would guess another encoding
    assert fast == official(header, rows, DESCRIPTOR)
    assert len(fast) == 134


_RUN = """
import sys
from pathlib import Path
from odl_geo.profiles import validation
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, convert_theme

validation.SMALL_LAYER = 0  # the fast path on the samples' chunks too, not only frictionless on every row
src, out, theme, options, read = sys.argv[1], Path(sys.argv[2]), sys.argv[3], eval(sys.argv[4]), eval(sys.argv[5])
for chunk_rows in (7, 20_000):
    convert_theme(src, out / str(chunk_rows), theme, ThemeOptions(**options, chunk_rows=chunk_rows),
                  ("gpkg", "geojson", "csv"), ReadOptions(**read) if read else None)
print("chardet" in sys.modules)
"""

SAMPLES = {
    "water": ("examples/water/VilleMTP_MTP_Fontaines.csv",  # CP1252
              {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True}, {}),
    "pei": ("tests/data/pei/pei_generated_occitanie.csv",
            {"fix": True, "drop_invalid": True, "area": "occitanie"}, {"source_crs": "EPSG:2154"}),
}  # fmt: skip


@pytest.mark.parametrize("theme", sorted(SAMPLES))
def test_a_theme_run_never_loads_chardet(theme: str, tmp_path: Path) -> None:
    src, options, read = SAMPLES[theme]
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(REPO / src), str(tmp_path), theme, repr(options), repr(read)],
        capture_output=True, text=True, cwd=REPO, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == "False"
    for chunk_rows in ("7", "20000"):
        report = json.loads((tmp_path / chunk_rows / "report.json").read_text(encoding="utf-8"))
        codes = {i["code"] for i in report["issues"]}
        assert "SCHEMA_VALID" in codes  # the product was validated
        if theme == "water":  # the source's encoding is still reported, by its reader
            transcoded = [i for i in report["issues"] if i["code"] == "ENCODING_TRANSCODED"]
            assert len(transcoded) == 1 and "CP1252" in transcoded[0]["message"]

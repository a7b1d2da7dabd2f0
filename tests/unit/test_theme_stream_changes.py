"""A streamed theme run keeps its fixes' changes past a bound in temporary files, not in memory: the reports
(report.json inline, changes.csv, report.html's sample) are those of a run that held them all, and nothing is
left behind on success, failure or cancel."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from odl_geo.checks.registry import Change
from odl_geo.errors import CancelledError, InputError
from odl_geo.theme import ThemeOptions, convert_theme, merge, outputs
from odl_geo.theme.merge import ChunkMerger, SpilledChanges
from tests.unit.test_theme_stream import CancelAtChunk

REPO = Path(__file__).resolve().parents[2]
MAPPING = str(REPO / "examples/water/fontaines.toml")
FORMATS = ("gpkg", "geojson", "csv")


def _french_dated(tmp: Path, n: int = 90) -> Path:
    """Water points whose commissioning dates are all French-style (``26/02/2009``): every row gets a fix."""
    rows = [
        {"Dossier": f"F{i:03d}", "Nom": f"Fontaine {i}", "BORNE_FONT": "Fontaine", "Catégorie": "Fontaine à boire",
         "Date_mise_en_service": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2000 + i % 20}",
         "Longitude": f"{3.80 + i / 1000:.5f}".replace(".", ","),
         "Latitude": f"{43.60 + i / 1000:.5f}".replace(".", ",")}
        for i in range(n)
    ]  # fmt: skip
    path = tmp / "fontaines_fr.csv"
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


class _Spied:
    """The temporary files the changes went to (to see them closed afterwards)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list = []
        make = tempfile.TemporaryFile

        def spy(*args, **kwargs):
            fh = make(*args, **kwargs)
            if str(kwargs.get("prefix", "")).startswith(".odl-geo-changes-"):
                self.files.append(fh)
            return fh

        monkeypatch.setattr(merge.tempfile, "TemporaryFile", spy)


@pytest.fixture
def spied(monkeypatch):
    return _Spied(monkeypatch)


#: report.html's footer (odl-geo's version and the minute of the run)
FOOTER = re.compile(rb"<footer>.*?</footer>", re.DOTALL)


def _run(src: Path, out: Path, chunk_rows: int, feedback=None, **options):
    opts = ThemeOptions(mapping=MAPPING, fix=True, chunk_rows=chunk_rows, **options)
    return convert_theme(src, out, "water", opts, FORMATS, None, feedback)


def _changes(out: Path) -> list[dict]:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))["layers"][0].get("changes", [])


@pytest.mark.parametrize("inline", [True, False])
def test_changes_past_the_bound_give_the_reports_of_a_run_that_held_them_all(tmp_path, monkeypatch, spied, inline):
    src = _french_dated(tmp_path)
    if not inline:
        monkeypatch.setattr(outputs, "INLINE_CHANGES", 30)  # changes.csv beside the reports
    held = _run(src, tmp_path / "held", 7)
    assert not spied.files  # 90 changes: below the bound, all in memory
    monkeypatch.setattr(merge, "HELD_CHANGES", 11)
    spilled = _run(src, tmp_path / "spilled", 7)
    assert spied.files  # the changes past the 11th went to temporary files
    details = [f.details for f in spilled.layers[0].fixes]
    assert any(isinstance(d, SpilledChanges) and d.spilled for d in details)
    assert sum(len(d) for d in details) == sum(len(f.details) for f in held.layers[0].fixes) >= 90
    for name in ("report.json", "report.html", "changes.csv"):
        a, b = tmp_path / "held" / name, tmp_path / "spilled" / name
        assert a.exists() == b.exists() == (name != "changes.csv" or not inline)
        if a.exists():
            x, y = a.read_bytes(), b.read_bytes()
            if name == "report.html":  # its footer says the minute of the run: two runs may straddle one
                x, y = FOOTER.sub(b"", x), FOOTER.sub(b"", y)
            assert x == y, name
    if inline:
        dates = [c for c in _changes(tmp_path / "spilled") if c["code"] == "DATE_NOT_ISO"]
        assert len(dates) == 90 and dates[89]["feature"] == 89  # every row, numbered in the layer
        assert dates[0]["old"] == "01/01/2000" and dates[0]["new"] == "2000-01-01"
    else:
        lines = (tmp_path / "spilled" / "changes.csv").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 + sum(len(d) for d in details)
    html = (tmp_path / "spilled" / "report.html").read_text(encoding="utf-8")
    assert "20 modifications sur" in html  # the sample of the first twenty, and the whole count
    assert not [p for p in (tmp_path / "spilled").iterdir() if p.name.startswith(".")]  # nothing left beside


def test_a_layer_refused_writes_its_report_from_the_spilled_changes_and_leaves_nothing(tmp_path, monkeypatch, spied):
    src = _french_dated(tmp_path)
    table = pd.read_csv(src, sep=";")
    table.loc[40, "Dossier"] = table.loc[5, "Dossier"]  # an identifier used twice: an error --fix leaves
    table.to_csv(src, sep=";", index=False)
    held = tmp_path / "held"
    with pytest.raises(InputError, match="cannot be published"):
        _run(src, held, 7)
    monkeypatch.setattr(merge, "HELD_CHANGES", 5)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="cannot be published"):
        _run(src, out, 7)
    assert spied.files
    assert _changes(out) == _changes(held) and len(_changes(out)) >= 89
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]


def test_a_cancelled_run_closes_its_spilled_changes_and_leaves_the_folder_as_it_was(tmp_path, monkeypatch, spied):
    monkeypatch.setattr(merge, "HELD_CHANGES", 5)
    src = _french_dated(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(CancelledError):
        _run(src, out, 7, CancelAtChunk(at=5))  # four chunks' changes spilled
    assert spied.files and all(fh.closed for fh in spied.files)  # their disk space given back at once
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]


def test_a_failing_chunk_closes_the_spilled_changes(tmp_path, monkeypatch, spied):
    from odl_geo.theme import stream

    monkeypatch.setattr(merge, "HELD_CHANGES", 5)
    calls = {"n": 0}
    release = stream.release_free_memory

    def fail_on_the_fourth_chunk() -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        release()

    monkeypatch.setattr(stream, "release_free_memory", fail_on_the_fourth_chunk)
    src = _french_dated(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="No space left"):
        _run(src, out, 7)
    assert spied.files and all(fh.closed for fh in spied.files)
    assert not out.exists() or not [p for p in out.iterdir() if p.name != "report.json"]


def test_spilled_changes_read_back_in_order_with_their_values_as_they_were(tmp_path, monkeypatch):
    from odl_geo.checks.runner import Fix

    monkeypatch.setattr(merge, "HELD_CHANGES", 3)
    merger = ChunkMerger(spill_to=tmp_path)
    values = [None, 1.5, "26/02/2009", 7, ("a", 1)]
    for chunk in range(4):  # two fixes interleaved chunk by chunk, each one's changes kept in its own order
        for code in ("A", "B"):
            details = [Change(None, "f", "x", "y")] + [Change(i, code, values[i], chunk) for i in range(5)]
            merger.add_fixes([Fix(code, "l", [f"{code}: 5 change(s)"], [], details)], chunk * 10)
    a, b = merger.fixes("l")
    assert [(c.feature, c.old, c.new) for c in a.details] == [(None, "x", "y")] + [
        (10 * k + i, values[i], k) for k in range(4) for i in range(5)]  # fmt: skip
    assert len(b.details) == 21 and isinstance(b.details, SpilledChanges) and b.details.spilled == 21
    assert a.changes == ["A: 20 change(s)"]  # the layer's count of its field's changes, kept as they came
    assert list(tmp_path.iterdir()) == []  # the files have no name
    merger.close()
    with pytest.raises(ValueError, match="released"):
        list(b.details)

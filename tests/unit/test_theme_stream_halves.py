"""A large streamed layer of wide chunks (PEI's 17 fields, hiking's 30; water points' 9 keep whole chunks) is read
in chunks of half the asked rows (odl_geo.theme.stream._chunk_size), so that the pass's two processes hold about
what one process held: forked or not (the machine's load decides), the chunks are the same and so are the bytes;
the outputs are those of a whole-layer run."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd
import pyogrio
import pytest

from odl_geo.normalise.frames import CHUNK_BYTES
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import stream as stream_module
from odl_geo.theme.pass_child import ENV_SWITCH as PASS_SWITCH
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")


def test_a_layer_of_several_chunks_is_read_in_halves_and_a_small_one_whole():
    size = stream_module._chunk_size
    assert size(20_000, 20_000, 17) == (20_000, CHUNK_BYTES)  # one chunk: the whole-layer path
    assert size(1_000_000, 20_000, 17) == (10_000, CHUNK_BYTES // 2)  # PEI's 17 fields, 1M features
    assert size(5_000_000, 20_000, 17) == (10_000, CHUNK_BYTES // 2)
    assert size(100_000, 20_000, 17) == (20_000, CHUNK_BYTES)  # PEI 100k: 1.7M cells, whole chunks
    assert size(20_001, 20_000, 17) == (20_000, CHUNK_BYTES)
    assert size(1_000_000, 20_000, 30) == (10_000, CHUNK_BYTES // 2)  # hiking's 30
    assert size(1_000_000, 20_000, 9) == (20_000, CHUNK_BYTES)  # water points' 9: narrow, whole chunks
    assert size(5_000_000, 40_000, 9) == (20_000, CHUNK_BYTES // 2)  # ... unless the asked chunk is wide
    assert size(1_000, 1_000, 250) == (1_000, CHUNK_BYTES)
    assert size(100_000, 1_000, 250) == (500, CHUNK_BYTES // 2)
    assert size(100_000, 1_000, 200) == (1_000, CHUNK_BYTES)  # 200,000 cells a chunk: whole
    assert size(40_000, 1_000, 250) == (1_000, CHUNK_BYTES)  # 10M cells a layer: whole
    assert size(100, 7, 10**6) == (7, CHUNK_BYTES)  # tests' tiny chunks: as asked


def _fountains(tmp: Path, n: int) -> Path:
    """``n`` water points (a copy of row 2 at row n-7 and row 5's id again at n-3: findings across chunks), some
    fixable (a comma decimal), one outside the area."""
    rows = [
        {"Dossier": f"F{i:04d}", "Nom": f"Fontaine {i}", "BORNE_FONT": "Fontaine", "Catégorie": "Fontaine à boire",
         "Longitude": f"{3.80 + i / 100_000:.5f}".replace(".", ","),
         "Latitude": f"{43.60 + i / 100_000:.5f}".replace(".", ",")}
        for i in range(n)
    ]  # fmt: skip
    rows[n - 7] = dict(rows[2])
    rows[n - 3] = {**rows[n - 3], "Dossier": rows[5]["Dossier"]}
    rows[n // 2] = {**rows[n // 2], "Longitude": "7,5", "Latitude": "48,5"}  # Strasbourg: outside the Hérault
    path = tmp / "fontaines.csv"
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def _run(src: Path, out: Path, chunk_rows: int):
    mapping = str(forking.WATER["mapping"])
    options = ThemeOptions(mapping=mapping, fix=True, drop_invalid=True, area="34", chunk_rows=chunk_rows)
    return convert_theme(src, out, "water", options, FORMATS)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "report.html"}


@pytest.fixture
def sizes(monkeypatch):
    """The rows and bytes each run asked its chunks to hold."""
    asked: list[tuple[int, int | None]] = []
    real = stream_module.read_frames

    def spy(layer, rows, options=None, report=None, feedback=None, budget=None, keep_wkb=False):
        asked.append((rows, budget))
        return real(layer, rows, options, report, feedback, budget, keep_wkb)

    monkeypatch.setattr(stream_module, "read_frames", spy)
    return asked


def test_halves_forked_or_not_give_the_same_bytes_and_those_of_a_whole_layer(tmp_path, monkeypatch, sizes):
    forking.as_a_command(monkeypatch)
    forks = forking.record_forks(monkeypatch)
    monkeypatch.setattr(stream_module, "WHOLE_CHUNK_CELLS", 0)  # these 6 fields, 1,300 features: halved as a
    monkeypatch.setattr(stream_module, "WHOLE_LAYER_CELLS", 0)  # wide and large layer is
    src = _fountains(tmp_path, 1_300)
    monkeypatch.setenv(PASS_SWITCH, "1")
    _run(src, tmp_path / "two", 1_000)
    assert forks  # the pass's child (and maybe a format's) did work
    monkeypatch.setenv(PASS_SWITCH, "0")
    _run(src, tmp_path / "one", 1_000)
    assert sizes == [(500, CHUNK_BYTES // 2)] * 2  # 1,300 features: chunks of 500 in both runs
    two, one = _bytes(tmp_path / "two"), _bytes(tmp_path / "one")
    assert list(two) == list(one)
    for name in one:
        assert two[name] == one[name], name

    whole = _run(src, tmp_path / "whole", 50_000)
    assert sizes[-1] == (50_000, CHUNK_BYTES)
    assert whole.layers[0].feature_count == 1_298  # two rows left out (--drop-invalid)
    for name in (p.name for p in (tmp_path / "whole").iterdir() if p.suffix in (".geojson", ".csv", ".gpkg")):
        if name.endswith(".gpkg"):  # its header counts the writer's transactions: the rows are compared
            a = pd.DataFrame(pyogrio.read_dataframe(tmp_path / "whole" / name))
            b = pd.DataFrame(pyogrio.read_dataframe(tmp_path / "one" / name))
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
        else:
            assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    reports = [json.loads((tmp_path / d / "report.json").read_text(encoding="utf-8")) for d in ("whole", "one")]
    findings = [Counter((i["code"], i["severity"], i["count"]) for i in r["issues"]) for r in reports]
    assert findings[0] == findings[1]
    assert any(code.startswith("DUPLICATE_") for code, _, _ in findings[0]), findings[0]  # across chunks

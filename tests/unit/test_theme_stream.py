"""Issue 16: ``convert --theme`` streams a single-layer theme in chunks, and chunks change nothing that is published.

Each bundled sample is converted whole (one chunk) and in tiny chunks (the seams between chunks everywhere): the
products and the open formats are the same bytes, the report the same findings with the same counts. A layer
with faults spanning chunks (a copy of a feature in a later chunk, an identifier used again much later) is
reported and fixed as when checked whole. The spool and staging folders never outlive the run.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo.errors import InputError
from odl_geo.report import Issue, Report, Severity
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme.merge import ChunkMerger
from odl_geo.theme.spool import LayerSpool

REPO = Path(__file__).resolve().parents[2]
FORMATS = ("gpkg", "geojson", "csv")


def _copy(src: Path, tmp: Path) -> Path:
    dest = tmp / "src"
    dest.mkdir()
    shutil.copy(src, dest / src.name)
    return dest / src.name


SAMPLES = {
    "water": (REPO / "examples/water/VilleMTP_MTP_Fontaines.csv",
              {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True}, {}),
    "hiking": (REPO / "examples/hiking/cevennes_itineraires.json", {"fix": True, "area": "occitanie"}, {}),
    "pei": (REPO / "tests/data/pei/pei_generated_occitanie.csv",
            {"fix": True, "drop_invalid": True, "area": "occitanie"}, {"source_crs": "EPSG:2154"}),
}  # fmt: skip


def _run(src: Path, out: Path, theme: str, options: dict, read: dict, chunk_rows: int):
    from odl_geo.sources import ReadOptions

    opts = ThemeOptions(**options, chunk_rows=chunk_rows)
    return convert_theme(src, out, theme, opts, FORMATS, ReadOptions(**read) if read else None)


def _findings(out: Path) -> Counter:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return Counter((i["code"], i["severity"], i["count"]) for i in report["issues"])


def _layer(out: Path) -> dict:
    layer = json.loads((out / "report.json").read_text(encoding="utf-8"))["layers"][0]
    return {k: v for k, v in layer.items() if k not in ("changes", "fixes")}


def _same_outputs(whole: Path, chunked: Path) -> None:
    names = sorted(p.name for p in whole.iterdir() if p.suffix in (".geojson", ".csv", ".gpkg"))
    assert names == sorted(p.name for p in chunked.iterdir() if p.suffix in (".geojson", ".csv", ".gpkg"))
    for name in names:
        if name.endswith(".gpkg"):
            a = pyogrio.read_dataframe(whole / name)
            b = pyogrio.read_dataframe(chunked / name)
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), check_dtype=False)
        else:
            assert (whole / name).read_bytes() == (chunked / name).read_bytes(), name


@pytest.mark.parametrize("theme", sorted(SAMPLES))
def test_a_bundled_sample_in_tiny_chunks_gives_the_same_products_and_report(theme, tmp_path):
    path, options, read = SAMPLES[theme]
    src = _copy(path, tmp_path)
    whole = _run(src, tmp_path / "whole", theme, options, read, 50_000)
    chunked = _run(src, tmp_path / "chunked", theme, options, read, 3)
    assert whole.layers[0].feature_count == chunked.layers[0].feature_count > 3
    _same_outputs(tmp_path / "whole", tmp_path / "chunked")
    assert _findings(tmp_path / "whole") == _findings(tmp_path / "chunked")
    assert _layer(tmp_path / "whole") == _layer(tmp_path / "chunked")
    assert not [p for p in (tmp_path / "chunked").iterdir() if p.name.startswith(".")]  # no spool, no staging
    maps = [
        (tmp_path / d / "report.html").read_text(encoding="utf-8").count("data:image/png") for d in ("whole", "chunked")
    ]
    assert maps[0] == maps[1] >= 1  # the map preview, drawn from the chunks' sample


def _water_layer(tmp: Path, n: int = 40) -> Path:
    """Water points with a copy of feature 2 at row 33 and feature 5's id again at row 37 (other chunks)."""
    rows = [
        {"Dossier": f"F{i:03d}", "Nom": f"Fontaine {i}", "BORNE_FONT": "Fontaine", "Catégorie": "Fontaine à boire",
         "Longitude": f"{3.80 + i / 1000:.5f}".replace(".", ","),
         "Latitude": f"{43.60 + i / 1000:.5f}".replace(".", ",")}
        for i in range(n)
    ]  # fmt: skip
    rows[33] = dict(rows[2])
    rows[37] = {**rows[37], "Dossier": rows[5]["Dossier"]}
    path = tmp / "fontaines.csv"
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def test_duplicates_across_chunks_are_found_and_fixed_as_in_a_whole_layer(tmp_path):
    src = _water_layer(tmp_path)
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True}
    whole = _run(src, tmp_path / "whole", "water", options, {}, 50_000)
    chunked = _run(src, tmp_path / "chunked", "water", options, {}, 10)
    fixed = {i.message.split(":")[0] for i in whole.report.issues if i.code == "FIX_APPLIED"}
    assert "DUPLICATE_FEATURE" in fixed
    assert any(i.code == "DUPLICATE_ID" for i in chunked.report.issues)
    # the copy removed by --fix, the feature reusing an identifier left out by --drop-invalid
    assert whole.layers[0].feature_count == chunked.layers[0].feature_count == 38
    _same_outputs(tmp_path / "whole", tmp_path / "chunked")
    assert _findings(tmp_path / "whole") == _findings(tmp_path / "chunked")


def test_a_layer_left_with_errors_writes_only_the_report_and_no_temporary_folder(tmp_path):
    src = _water_layer(tmp_path)
    table = pd.read_csv(src, sep=";")
    table.loc[12, "Longitude"] = "abc"  # a point with no coordinates: an error that --fix cannot fix
    table.to_csv(src, sep=";", index=False)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="cannot be published"):
        _run(src, out, "water", {"mapping": str(REPO / "examples/water/fontaines.toml")}, {}, 10)
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]


def test_the_spool_gives_the_writers_one_schema_the_widest():
    frames = [
        pd.DataFrame({"n": [1, 2], "t": ["a", "b"], "empty": [None, None]}),
        pd.DataFrame({"n": [1.5, None], "t": [3, 4], "empty": ["x", None]}),
    ]
    import tempfile

    import geopandas as gpd

    with tempfile.TemporaryDirectory() as tmp:
        spool = LayerSpool("layer", Path(tmp))
        for i, f in enumerate(frames):
            spool.add(gpd.GeoDataFrame(f, geometry=[shapely.Point(i, 0), shapely.Point(i, 1)], crs="EPSG:4326"))
        schema = spool.schema()
        assert schema.field("n").type == pa.float64() and schema.field("t").type == pa.string()
        assert schema.field("empty").type == pa.string()
        layer = spool.layer()
        rows = pa.Table.from_batches(list(layer.batch_source())).to_pylist()
        assert [r["n"] for r in rows] == [1.0, 2.0, 1.5, None] and [r["t"] for r in rows] == ["a", "b", "3", "4"]
        assert layer.feature_count == 4 and spool.scan.counts == {"Point": 4}
        spool.close()
        assert not spool.folder.exists()


def test_chunk_findings_merge_into_the_layers_rows_and_totals():
    merger = ChunkMerger()
    first, second = Report(), Report()
    first.add(Issue("DATE_NOT_ISO", Severity.WARNING, "3 date(s) not ISO", layer="l", count=3, examples=[1, 2, 4],
                    message_fr="3 date(s) non ISO"))  # fmt: skip
    first.add(Issue("LAYER_RENAMED", Severity.INFO, "renamed", layer="l"))
    second.add(Issue("DATE_NOT_ISO", Severity.WARNING, "2 date(s) not ISO", layer="l", count=2, examples=[0, 6],
                     message_fr="2 date(s) non ISO"))  # fmt: skip
    second.add(Issue("LAYER_RENAMED", Severity.INFO, "renamed", layer="l"))
    merger.add_report(first, 0)
    merger.add_report(second, 100)
    issues = merger.issues()
    assert [i.code for i in issues] == ["DATE_NOT_ISO", "LAYER_RENAMED"]
    dates = issues[0]
    assert dates.count == 5 and dates.examples == [1, 2, 4, 100, 106]
    assert dates.message == "5 date(s) not ISO" and dates.message_fr == "5 date(s) non ISO"


def test_check_fix_in_chunks_writes_the_corrected_copy_of_a_whole_run(tmp_path):
    from odl_geo.cli.main import main

    src = _water_layer(tmp_path)
    mapping = str(REPO / "examples/water/fontaines.toml")
    for n in ("50000", "10"):
        code = main(["check", str(src), "--theme", "water", "--mapping", mapping, "--fix", "-q",
                     "--out", str(tmp_path / n), "--chunk-rows", n])  # fmt: skip
        assert code == 0
    a = pyogrio.read_dataframe(tmp_path / "50000" / "fontaines_corrige.gpkg")
    b = pyogrio.read_dataframe(tmp_path / "10" / "fontaines_corrige.gpkg")
    assert len(a) == 39  # the copy of feature 2 removed by --fix, in both
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), check_dtype=False)
    # the Table Schema's ``unique`` rule: the validator sees the two features in the whole layer (SCHEMA_INVALID);
    # in chunks they are in different chunks and DUPLICATE_ID, an error in both, says it; nothing says "valid"
    whole, chunked = _findings(tmp_path / "50000"), _findings(tmp_path / "10")
    assert whole.pop(("SCHEMA_INVALID", "error", 1)) == 1
    assert whole == chunked and ("DUPLICATE_ID", "error", 1) in chunked
    assert sorted(p.name for p in (tmp_path / "10").iterdir()) == [
        "fontaines_corrige.gpkg", "report.html", "report.json"]  # fmt: skip


class CancelAtChunk:
    """The QGIS task's cancel button, pressed while chunk number ``at`` is read (the second by default)."""

    def __init__(self, at: int = 2) -> None:
        self.at = at
        self.checks = 0

    def progress(self, percent: float, text: str = "") -> None:
        pass

    def info(self, text: str) -> None:
        if text.startswith("Checking"):
            self.checks += 1

    def warning(self, text: str) -> None:
        pass

    def is_cancelled(self) -> bool:
        return self.checks >= self.at


def test_a_cancelled_streamed_run_leaves_the_output_folder_as_it_was(tmp_path):
    from odl_geo.errors import CancelledError

    src = _water_layer(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    options = ThemeOptions(mapping=str(REPO / "examples/water/fontaines.toml"), fix=True, chunk_rows=10)
    with pytest.raises(CancelledError):
        convert_theme(src, out, "water", options, FORMATS, None, CancelAtChunk())
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # no product, no staging, no spool


def _faulty_fountains(tmp: Path) -> Path:
    """The Montpellier fountains copied four times (new ids, shifted points) with faults on every seam: a copy
    of a feature of the first copy in the last, an id of the second reused in the fourth, names with mojibake
    and points far outside the Hérault here and there."""
    raw = pd.read_csv(REPO / "examples/water/VilleMTP_MTP_Fontaines.csv", encoding="cp1252", dtype=str)
    parts = []
    for k in range(4):
        part = raw.copy()
        part["Dossier"] = [str(int(d) + 10_000 * k) for d in part["Dossier"]]
        part["Longitude"] = [
            f"{float(v.replace(',', '.')) + 0.01 * k:.5f}".replace(".", ",") for v in part["Longitude"]
        ]
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table.iloc[190] = table.iloc[3]  # an exact copy, 187 rows later
    table.loc[170, "Dossier"] = table.loc[60, "Dossier"]  # an identifier used again
    for row in (5, 77, 150):
        table.loc[row, "Nom"] = "Place de la RÃ©publique"  # mojibake
    for row in (20, 121):
        table.loc[row, "Longitude"] = "-1,5"  # in the Atlantic, outside --area 34
    path = tmp / "fontaines_x4.csv"
    table.to_csv(path, index=False, encoding="cp1252")
    return path


@pytest.mark.parametrize("chunk_rows", [1, 7, 64])
def test_faults_on_the_seams_give_the_report_and_products_of_a_whole_run(tmp_path, chunk_rows):
    src = _faulty_fountains(tmp_path)
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True,
               "area": "34"}  # fmt: skip
    whole = _run(src, tmp_path / "whole", "water", options, {}, 50_000)
    chunked = _run(src, tmp_path / "chunked", "water", options, {}, chunk_rows)
    codes = {i.code for i in whole.report.issues}
    assert {"DUPLICATE_ID", "FEATURES_LEFT_OUT", "FIX_APPLIED"} <= codes
    assert whole.layers[0].feature_count == chunked.layers[0].feature_count < 192
    _same_outputs(tmp_path / "whole", tmp_path / "chunked")
    a, b = _findings(tmp_path / "whole"), _findings(tmp_path / "chunked")
    a.pop(("SCHEMA_INVALID", "error", 1), None)  # `unique` judged by the validator only within a chunk (see above)
    b.pop(("SCHEMA_INVALID", "error", 1), None)
    assert a == b
    assert (
        _layer(tmp_path / "whole")["features_with_problems"] == _layer(tmp_path / "chunked")["features_with_problems"]
    )


def test_check_fix_of_two_chunks_whose_fixes_leave_one_chunk_of_rows_writes_every_field(tmp_path):
    """12 fountains in chunks of 10, two of them copies --fix removes: 10 features are left, but the layer came in
    two chunks, so the corrected copy is written from the spool (all fields), never from the map's sample."""
    from odl_geo.cli.main import main

    src = _water_layer(tmp_path)
    table = pd.read_csv(src, sep=";", dtype=str).iloc[:10]
    pd.concat([table, table.iloc[[1, 4]]], ignore_index=True).to_csv(src, sep=";", index=False)
    mapping = str(REPO / "examples/water/fontaines.toml")
    for n in ("50000", "10"):
        code = main(["check", str(src), "--theme", "water", "--mapping", mapping, "--fix", "-q",
                     "--out", str(tmp_path / n), "--chunk-rows", n])  # fmt: skip
        assert code == 0
    a = pyogrio.read_dataframe(tmp_path / "50000" / "fontaines_corrige.gpkg")
    b = pyogrio.read_dataframe(tmp_path / "10" / "fontaines_corrige.gpkg")
    assert len(a) == 10 and "nom" in b.columns
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), check_dtype=False)


def test_a_fix_note_and_a_finding_said_by_several_chunks_come_once_with_the_layers_count():
    from odl_geo.checks.registry import Change
    from odl_geo.checks.runner import Fix

    merger = ChunkMerger()
    for offset, n, sample in ((0, 3, "'01/02/2003' -> '2003-02-01'"), (100, 2, "'04/05/2006' -> '2006-05-04'")):
        details = [Change(i, "date_mes", "x", "y") for i in range(n)]
        merger.add_fixes([Fix("DATE_NOT_ISO", "l", [f"date_mes: {n} date(s) rewritten ({sample})."],
                              [f"date_mes : {n} date(s) réécrite(s) ({sample})."], details)], offset)  # fmt: skip
        report, lon = Report(), 1.4139 if n == 3 else 1.443  # samples with other numbers of decimals
        report.add(Issue("COORDS_OUTSIDE_AREA", Severity.WARNING, f"{n} feature(s) outside, e.g. lon {lon}",
                         layer="l", count=n, examples=list(range(n))))  # fmt: skip
        merger.add_report(report, offset)
    (fix,) = merger.fixes("l")
    assert fix.changes == ["date_mes: 5 date(s) rewritten ('01/02/2003' -> '2003-02-01')."]
    assert fix.changes_fr == ["date_mes : 5 date(s) réécrite(s) ('01/02/2003' -> '2003-02-01')."]
    assert len(fix.details) == 5
    (found,) = merger.issues()
    assert found.count == 5 and found.message == "5 feature(s) outside, e.g. lon 1.4139"


def test_a_fix_note_without_a_field_counts_the_fixs_changes_of_the_whole_layer():
    from odl_geo.checks.registry import Change
    from odl_geo.checks.runner import Fix

    merger = ChunkMerger()
    for offset, rows in ((0, [39, 199]), (100, [5, 6, 7])):
        details = [Change(r, "(feature)", "", None) for r in rows]
        # a chunk's note names its rows in the chunk (the merge numbers them in the layer)
        note = f"{len(rows)} feature(s) removed as exact copies: " + ", ".join(f"#{r}" for r in rows) + "."
        merger.add_fixes([Fix("DUPLICATE_FEATURE", "l", [note], [note], details)], offset)
    (fix,) = merger.fixes("l")
    # the layer's count, and its features named as a whole layer names them (the first chunk's, then the next one's)
    assert fix.changes == ["5 feature(s) removed as exact copies: #39, #199, #105, #106, #107."]
    assert len(fix.details) == 5


# -- flat memory: the checks' hashes spilled to disk, chunks sized by bytes ----------------------------------------


@pytest.fixture
def tiny_spill(monkeypatch):
    """Hash sets that keep at most 4 hashes in memory and write blocks of 2 keys: every chunk spills, runs merge
    on disk, lookups read blocks. Returns the list of the runs written (their paths)."""
    from odl_geo.checks import _carry

    monkeypatch.setattr(_carry.HashSet, "RAM_HASHES", 4)
    monkeypatch.setattr(_carry.HashSet, "MAX_BITS", 1 << 6)  # a saturated bitmap: most probes go to the disk
    monkeypatch.setattr(_carry._DiskRun, "BLOCK", 2)
    monkeypatch.setattr(_carry._DiskRun, "PIECE", 3)
    monkeypatch.setattr(_carry._DiskRun, "PROBES", 5)
    written: list[Path] = []
    write = _carry._DiskRun.write.__func__

    def spy(cls, path, keys, payload):
        written.append(path)
        return write(cls, path, keys, payload)

    monkeypatch.setattr(_carry._DiskRun, "write", classmethod(spy))
    return written


def test_hash_sets_spilled_to_disk_answer_exactly_as_in_memory(tmp_path, tiny_spill):
    import numpy as np

    from odl_geo.checks._carry import HashSet, PairSet, layer_carry, settle

    rng = np.random.default_rng(7)
    carry = layer_carry(tmp_path / "spill")
    (tmp_path / "spill").mkdir()
    keys_seen: set[int] = set()
    pairs_seen: set[tuple[int, int]] = set()
    for _ in range(40):  # chunks of values drawn from a small range: many repeats, within and across chunks
        keys = rng.integers(0, 300, size=int(rng.integers(0, 12)), dtype=np.uint64)
        values = rng.integers(0, 3, size=keys.size, dtype=np.uint32)
        ids, pairs = carry.get("ids"), carry.get("pairs")
        if isinstance(ids, HashSet) and isinstance(pairs, PairSet):
            probe = rng.integers(0, 300, size=50, dtype=np.uint64)
            pv = rng.integers(0, 3, size=50, dtype=np.uint32)
            assert ids.contains(probe).tolist() == [int(k) in keys_seen for k in probe]
            assert pairs.contains(probe).tolist() == [int(k) in {a for a, _ in pairs_seen} for k in probe]
            assert pairs.contains_pairs(probe, pv).tolist() == [
                (int(k), int(v)) in pairs_seen for k, v in zip(probe, pv, strict=True)]  # fmt: skip
        carry.setdefault("ids", HashSet())
        carry.setdefault("pairs", PairSet())
        carry["ids"].add(keys)  # type: ignore[union-attr]
        carry["pairs"].add_pairs(keys, values)  # type: ignore[union-attr]
        settle(carry)
        keys_seen |= {int(k) for k in keys}
        pairs_seen |= {(int(k), int(v)) for k, v in zip(keys, values, strict=True)}
    ids, pairs = carry["ids"], carry["pairs"]
    assert isinstance(ids, HashSet) and isinstance(pairs, PairSet)
    assert len(tiny_spill) > 10 and ids.disk and pairs.disk  # spilled many times
    assert len(ids.disk) < 8  # runs of alike sizes merged on disk
    assert sum(r.size for r in ids.runs) <= 4 + 12  # memory holds at most the share plus one chunk
    on_disk = sorted(p.name for p in (tmp_path / "spill").iterdir())
    assert on_disk == sorted(f.name for r in ids.disk + pairs.disk for f in
                             [r.keys_path] + ([r.payload_path] if r.payload else []))  # fmt: skip
    ids.remove()
    pairs.remove()
    assert not list((tmp_path / "spill").iterdir())


@pytest.mark.parametrize("chunk_rows", [3, 7])
def test_duplicates_on_the_seams_found_from_runs_spilled_to_disk_as_in_a_whole_run(tmp_path, tiny_spill, chunk_rows):
    src = _faulty_fountains(tmp_path)
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True,
               "area": "34"}  # fmt: skip
    whole = _run(src, tmp_path / "whole", "water", options, {}, 50_000)
    assert not tiny_spill  # one chunk: nothing carried, nothing written
    chunked = _run(src, tmp_path / "chunked", "water", options, {}, chunk_rows)
    assert len(tiny_spill) > 20
    assert not any(p.with_suffix(p.suffix + ".u64").exists() for p in tiny_spill)
    assert not tiny_spill[0].parent.exists()  # the spill folder went with the run
    assert whole.layers[0].feature_count == chunked.layers[0].feature_count
    _same_outputs(tmp_path / "whole", tmp_path / "chunked")
    a, b = _findings(tmp_path / "whole"), _findings(tmp_path / "chunked")
    a.pop(("SCHEMA_INVALID", "error", 1), None)  # `unique` judged by the validator only within a chunk (see above)
    b.pop(("SCHEMA_INVALID", "error", 1), None)
    assert a == b
    assert "DUPLICATE_ID" in {c for c, _, _ in a}
    fixed = {i.message.split(":")[0] for i in chunked.report.issues if i.code == "FIX_APPLIED"}
    assert "DUPLICATE_FEATURE" in fixed  # the copy 187 rows later, found in a run on disk


def test_a_cancelled_run_removes_the_checks_runs_spilled_to_disk(tmp_path, tiny_spill):
    from odl_geo.errors import CancelledError

    src = _water_layer(tmp_path)
    out = tmp_path / "out"
    options = ThemeOptions(mapping=str(REPO / "examples/water/fontaines.toml"), fix=True, chunk_rows=10)
    with pytest.raises(CancelledError):
        convert_theme(src, out, "water", options, FORMATS, None, CancelAtChunk())
    assert tiny_spill  # the first chunk's hashes were on disk when the run was cancelled
    assert not tiny_spill[0].parent.exists()
    assert not out.exists() or not list(out.iterdir())


def test_chunk_rows_follow_the_bytes_of_a_feature_within_the_users_bound():
    from odl_geo.normalise.frames import CHUNK_BYTES, MIN_CHUNK_ROWS, chunk_rows_for

    water, hiking = 134, 2_100  # normalised Arrow bytes per feature of the benchmark's inputs
    assert chunk_rows_for(20_000, water * 65_536, 65_536) == 20_000  # light points: the user's bound
    assert chunk_rows_for(20_000, hiking * 2_832, 2_832) == CHUNK_BYTES // hiking  # heavy trails: by bytes
    assert chunk_rows_for(7, hiking * 2_832, 2_832) == 7  # --chunk-rows stays the upper bound
    assert chunk_rows_for(20_000, 10**9, 10) == MIN_CHUNK_ROWS  # huge features: a floor
    assert chunk_rows_for(20_000, 0, 0) == 20_000  # nothing read: as asked


def test_heavy_features_come_in_chunks_sized_by_bytes_and_give_a_whole_runs_outputs(tmp_path, monkeypatch):
    """The hiking sample with a chunk budget of a few trails' bytes: several chunks though --chunk-rows allows
    the whole layer in one, and the same products, formats and report as one chunk."""
    from odl_geo.normalise import frames
    from odl_geo.theme import stream

    path, options, read = SAMPLES["hiking"]
    src = _copy(path, tmp_path)
    whole = _run(src, tmp_path / "whole", "hiking", options, read, 50_000)
    n = whole.layers[0].feature_count
    seen: list[int] = []
    take = frames._take

    def spy(pending, crs):
        frame = take(pending, crs)
        seen.append(len(frame))
        return frame

    monkeypatch.setattr(frames, "_take", spy)
    monkeypatch.setattr(frames, "MIN_CHUNK_ROWS", 1)
    monkeypatch.setattr(stream, "CHUNK_BYTES", 3_000)  # a trail of the sample weighs ~1-2 KB in Arrow
    chunked = _run(src, tmp_path / "chunked", "hiking", options, read, 50_000)
    assert len(seen) > 2 and max(seen) < n and sum(seen) >= n
    assert chunked.layers[0].feature_count == n
    _same_outputs(tmp_path / "whole", tmp_path / "chunked")
    assert _findings(tmp_path / "whole") == _findings(tmp_path / "chunked")


def test_a_layer_that_fits_one_chunk_by_rows_and_bytes_is_one_chunk(tmp_path, monkeypatch):
    from odl_geo.normalise import frames

    seen: list[int] = []
    take = frames._take

    def spy(pending, crs):
        frame = take(pending, crs)
        seen.append(len(frame))
        return frame

    monkeypatch.setattr(frames, "_take", spy)
    path, options, read = SAMPLES["hiking"]
    result = _run(_copy(path, tmp_path), tmp_path / "out", "hiking", options, read, 50_000)
    assert seen == [result.layers[0].feature_count + _removed(result)]


def _removed(run) -> int:
    """Features the fixes removed (the frame read had them)."""
    return sum(1 for f in run.layers[0].fixes for c in f.details if c.field == "(feature)")


@pytest.mark.parametrize("empty", ["some", "all", "none"])
def test_csv_points_read_in_chunks_without_their_type_scan_are_the_scanned_ones(tmp_path, monkeypatch, empty):
    """A CSV's X/Y points need no type scan (GDAL makes every row a 2D point, or none): the chunks are the same
    frames, and the read the same findings, as with the scan, rows without coordinates included."""
    from odl_geo.normalise import frames
    from odl_geo.normalise.options import NormaliseOptions
    from odl_geo.sources import open_source

    lines = ["id;nom;X;Y"]
    for i in range(40):
        blank = empty == "all" or (empty == "some" and i % 7 == 3)
        lines.append(f"{i};n{i};" + (";" if blank else f"{3.8 + i / 1000};{43.6 + i / 1000}"))
    path = tmp_path / "points.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def read(declared: bool) -> tuple[list[pd.DataFrame], list[tuple]]:
        report = Report()
        if not declared:  # the scan, as before
            monkeypatch.setattr(frames, "declared_scan", lambda layer: None)
        with open_source(path) as src:
            layer = src.layers[0]
            assert (frames.declared_scan(layer) is not None) is declared
            options = NormaliseOptions(repair=True, target_crs=None)
            chunks = [f.to_wkb() for f in frames.read_frames(layer, 7, options, report)]
        monkeypatch.undo()
        return chunks, [(i.code, i.count, i.examples) for i in report.issues]

    declared, scanned = read(True), read(False)
    assert len(declared[0]) == 6
    for a, b in zip(declared[0], scanned[0], strict=True):
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    assert declared[1] == scanned[1]


def test_the_spool_writes_number_objects_as_their_text():
    """Conformed columns of Python numbers (a water point's ``nombre``, a hydrant's ``debit``) are written as the
    text ``str`` gives each value, as a GeoPackage field would hold it, without a call per value."""
    import numpy as np

    from odl_geo.theme.layers import _arrow, _text

    columns = [
        [0, 1, -1, 2**40, -(2**63), 2**63 - 1, np.int64(7), np.int32(-3), np.uint32(4_000_000_000), None, np.nan],
        [0.0, -0.0, 0.1, 1e16, 1e-5, 100.0, -2.5, float("inf"), np.float64(3.25), np.nan, None, 1 / 3, 5e-324],
        [True, False, np.bool_(True), None, np.nan],
        [np.float32(0.1), 0.5, None],  # float32's text is not its float64's: mapped value by value
        [2**64, 1, None],  # past 64 bits: value by value
        [1, 1.5, True, "x", None],
    ]
    for values in columns:
        for n in (0, 1, 5, 50):
            series = pd.Series([values[(i * 7 + n) % len(values)] for i in range(n)], dtype=object)
            expected = pa.array(series.map(_text), type=pa.string(), from_pandas=True)
            assert _arrow(series).equals(expected), list(series)


def test_the_manifest_records_the_digests_of_the_files_hashed_while_the_next_ones_were_written(tmp_path):
    """A streamed run hashes each output as soon as it is written (odl_geo.theme.digests): the manifest's sizes
    and SHA-256 are those of the files swapped into the output folder, products and standard formats alike."""
    import hashlib

    src = _water_layer(tmp_path)
    out = tmp_path / "out"
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True}
    _run(src, out, "water", options, {}, 10)
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert {f["format"] for f in files} >= {"gpkg", "geojson", "csv"} and len(files) == 5
    for f in files:
        data = (out / f["path"]).read_bytes()
        assert (f["size"], f["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), f["path"]


def test_a_writer_failing_after_others_were_hashed_leaves_the_output_folder_as_it_was(tmp_path, monkeypatch):
    import threading

    from odl_geo.errors import OutputError
    from odl_geo.exports.csv import CSVWriter

    def broken(self, layer, scan, ctx):
        raise OutputError("disk full", "free space")

    monkeypatch.setattr(CSVWriter, "write_layer", broken)  # the last format: the others are written and hashed
    src = _water_layer(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True}
    with pytest.raises(OutputError, match="disk full"):
        _run(src, out, "water", options, {}, 10)
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # no product, no staging, no spool
    assert not [t for t in threading.enumerate() if t.name.startswith("odl-geo-sha256")]


@pytest.mark.parametrize(
    "sample",
    ["examples/hiking/cevennes_itineraires.json", "examples/water/VilleMTP_MTP_Fontaines.csv",
     "tests/data/geotrek/geotrek_treks.geojson", "tests/data/pei/pei_generated_occitanie.csv"],
)  # fmt: skip
def test_geometries_left_as_read_are_spooled_from_their_wkb_as_shapely_would_write_them(sample):
    """The spool writes a chunk's geometries that are still the objects read (most of them) from the stream's WKB:
    the same bytes as encoding them again, with rows left out, repeated, replaced or emptied on the way."""
    import numpy as np

    from odl_geo.normalise.frames import read_frames, wkb_of
    from odl_geo.normalise.options import NormaliseOptions
    from odl_geo.sources import open_source

    path = REPO / sample
    if not path.exists():
        pytest.fail(f"{sample} is a bundled sample and must be there")
    with open_source(path) as src:
        layer = src.layers[0]
        for target in (None, 4326, 2154):
            from pyproj import CRS

            options = NormaliseOptions(repair=True, target_crs=CRS.from_epsg(target) if target else None)
            chunks = read_frames(layer, 5, options, keep_wkb=True)
            for n, frame in enumerate(chunks):
                source = chunks.wkb
                assert source is not None
                geoms = np.asarray(frame.geometry.values)
                cases = [geoms, geoms[::-1], geoms[1:], np.concatenate([geoms, geoms[:2]])]
                changed = geoms.copy()
                changed[0] = shapely.Point(1.5, 2.5) if n % 2 else None  # a fix made it anew, or left it empty
                if len(changed) > 2:
                    changed[2] = shapely.force_3d(geoms[2]) if n % 3 == 0 else shapely.reverse(geoms[2])
                cases.append(changed)
                for case in cases:
                    expected = pa.array(shapely.to_wkb(case, flavor="iso"), type=pa.binary())
                    assert wkb_of(case, source).equals(expected)
            assert chunks.wkb is None  # not held once the last chunk was given
        # a reader that does not spool (the flood layers read in pieces) keeps no chunk's WKB
        plain = read_frames(layer, 5, NormaliseOptions(repair=True))
        assert all(plain.wkb is None for _ in plain)


@pytest.mark.parametrize("chunk_rows", [7, 64])
def test_features_named_in_messages_are_numbered_in_the_layer_not_in_their_chunk(tmp_path, chunk_rows):
    """``e.g. #20`` of a point outside the area, ``removed: #190`` of a duplicate: the chunk that found them
    numbered them in itself (``#6`` of the chunk starting at row 14); the report numbers them in the layer."""
    src = _faulty_fountains(tmp_path)
    options = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True,
               "area": "34"}  # fmt: skip
    whole = _run(src, tmp_path / "whole", "water", options, {}, 50_000)
    chunked = _run(src, tmp_path / "chunked", "water", options, {}, chunk_rows)

    def named(run) -> dict[str, tuple[str, str]]:
        return {i.code if i.code != "FIX_APPLIED" else i.message.split(":")[0]: (i.message, i.message_fr)
                for i in run.report.issues if re.search(r"#\d|n°\d", i.message + i.message_fr)}  # fmt: skip

    expected = named(whole)
    assert {"COORDS_OUTSIDE_FRANCE", "DUPLICATE_FEATURE"} <= set(expected)
    assert "#20 " in expected["COORDS_OUTSIDE_FRANCE"][0] and "n°20 " in expected["COORDS_OUTSIDE_FRANCE"][1]
    assert "removed: #190." in expected["DUPLICATE_FEATURE"][0]
    assert named(chunked) == expected

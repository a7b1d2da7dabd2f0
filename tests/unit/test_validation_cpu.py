"""Validation's CPU in a streamed run (issue 16): the same findings as the official validators, fewer of their runs.

A streamed layer's chunks after the first one frictionless read: a chunk none of whose rows the compiled checker
flags is not given to frictionless; the flagged rows of a chunk are judged by frictionless' own row machinery
(its ``Row``, cell readers and ``unique`` rule) at their row numbers, without a file; a chunk validated again
after rows were left out (``--drop-invalid``) likewise. The texts the checker tests are built by Arrow and numpy.
Hiking keeps its compiled checker's verdicts for the chunk validated again. Every test compares with the
official validator run on the whole chunk as it stands: frictionless on every row (``products.validate_rows``),
jsonschema on every feature (``products.validate_json_schema``), messages and row numbers included.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from odl_geo.profiles import compiled_table, products, validation
from odl_geo.profiles import pei as pei_module
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.hiking import LAYER_FEATURES, VALIDATION_STATE, HikingProfile
from odl_geo.profiles.pei import PeiProfile
from odl_geo.profiles.product_text import csv_texts
from odl_geo.profiles.schemas import load_schema
from odl_geo.profiles.water import table_schema
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme
from odl_geo.theme.outputs import _drop_invalid, validate_chunk

REPO = Path(__file__).resolve().parents[2]
PEI_SAMPLE = REPO / "tests/data/pei/pei_generated_occitanie.csv"
OFFICIAL_ROWS = products.validate_rows
OFFICIAL_JSON = products.validate_json_schema


@pytest.fixture
def runs(monkeypatch):
    """Small layers on the fast path; counts the official validator's runs: on a file of the sampled rows
    (``file``), on rows without a file (``rows``, the rows read), on every row (``whole``)."""
    monkeypatch.setattr(validation, "SMALL_LAYER", 0)
    monkeypatch.setattr(validation, "PREFIX_ROWS", 3)
    monkeypatch.setattr(validation, "SAMPLE_ROWS", 3)
    counts = {"file": 0, "rows": [], "whole": 0}
    on_file, on_rows = validation._frictionless_on, validation._frictionless_rows

    def file(*args):
        counts["file"] += 1
        return on_file(*args)

    def rows(keep, kept_rows, descriptor):
        counts["rows"].append(len(keep))
        return on_rows(keep, kept_rows, descriptor)

    def whole(header, rows, descriptor):
        counts["whole"] += 1
        return OFFICIAL_ROWS(header, rows, descriptor)

    monkeypatch.setattr(validation, "_frictionless_on", file)
    monkeypatch.setattr(validation, "_frictionless_rows", rows)
    monkeypatch.setattr(products, "validate_rows", whole)
    return counts


# -- generated water chunks with faults -----------------------------------------------------------------------

_FAULTS = [
    (10, "31/12/2020"),  # a date frictionless does not read
    (10, "2021-02-30"),  # an impossible date
    (2, "fountain"),  # not in the enumeration
    (2, ""),  # required
    (3, "3.5"),  # not an integer
    (8, "oui"),  # not a boolean of the schema
    (16, "200.5"),  # beyond the maximum
    (17, "abc"),  # not a number
    (16, ""),  # optional
    (12, "=HYPERLINK(1)"),  # neutralised by the writer: valid text
    (12, '-5,2 "quoted"\nsecond line'),  # quotes, comma and a line break in a cell
    (1, "Fontaine d'Éole"),
]


def _water_table(n: int, seed: int, faults: int) -> tuple[list[str], list[list[str]], dict]:
    rng = np.random.default_rng(seed)
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    rows = [
        [f"w{seed}-{i}", "", "fontaine", "1", "", "34172", "Montpellier", "", "true", "en_service", "2020-01-01", "",
         "", "", "", "", f"{3.8 + i * 1e-4:.6f}", "43.6"]
        for i in range(n)
    ]  # fmt: skip
    for i in rng.choice(n, size=min(faults, n), replace=False).tolist():
        column, value = _FAULTS[int(rng.integers(len(_FAULTS)))]
        rows[i][column] = value
    if faults:  # repeated identifiers (the one cross-row rule), within the chunk
        a, b, c = rng.choice(n, size=3, replace=False).tolist()
        rows[b][0] = rows[c][0] = rows[a][0]
    return header, rows, descriptor


def _chunk_check(header, rows, descriptor, layer):
    texts, odd = validation._row_texts(rows, len(header))
    table = validation._Table(header, texts, odd, rows)
    checked = validation._check_table(table, descriptor, plan=layer.plan(len(rows)), judged=layer.judged)
    if checked.flags is not None:
        layer.judged = True
    return checked


def test_generated_chunks_judged_as_frictionless_judges_them(runs):
    """Chunks with and without faults, one layer: each chunk's findings are frictionless' on the chunk whole;
    frictionless reads a file once (the layer's first chunk), the rows the checker flags after that."""
    layer = validation.TableLayer(8 * 120)
    for k in range(8):
        header, rows, descriptor = _water_table(120, seed=k, faults=0 if k in (1, 2, 5) else 9)
        before = (runs["file"], len(runs["rows"]))
        checked = _chunk_check(header, rows, descriptor, layer)
        assert checked.errors == OFFICIAL_ROWS(header, rows, descriptor)
        if k in (1, 2, 5):
            assert checked.errors == [] and (runs["file"], len(runs["rows"])) == before  # nothing read
        elif k:
            assert checked.errors and runs["file"] == 1 and len(runs["rows"]) == before[1] + 1
    assert runs["file"] == 1 and runs["whole"] == 0
    assert {"unique-error", "type-error", "constraint-error"} <= {rule for _, _, rule, _ in checked.errors}


@pytest.mark.parametrize("drop", ["faulty", "head", "some"])
def test_generated_chunks_with_rows_left_out(runs, drop):
    """A chunk validated again after rows were left out (the faulty ones, the first ones, one of a repeated
    identifier's rows): frictionless' findings on the kept rows, renumbered, without a file."""
    layer = validation.TableLayer(4 * 150)
    for k in range(4):
        header, rows, descriptor = _water_table(150, seed=10 + k, faults=12)
        checked = _chunk_check(header, rows, descriptor, layer)
        assert checked.errors == OFFICIAL_ROWS(header, rows, descriptor)
        bad = sorted({f for f, *_ in checked.errors if f is not None})
        out = {"faulty": bad, "head": list(range(7)) + bad[:2], "some": bad[::2]}[drop]
        keep = np.ones(len(rows), dtype=bool)
        keep[out] = False
        files = runs["file"]
        again = checked.without(keep)
        kept = [r for r, k in zip(rows, keep.tolist(), strict=True) if k]
        assert again.errors == OFFICIAL_ROWS(header, kept, descriptor)
        assert runs["file"] == files  # the kept rows: judged without a file
    assert runs["whole"] == 0


def test_rows_judged_without_a_file_are_judged_by_frictionless(runs, monkeypatch, caplog):
    """A flagged row's findings are all frictionless' (a type error the checker did not see in it included);
    a row the checker wrongly passed among those read (the first lines) sends the chunk to frictionless whole."""
    layer = validation.TableLayer(300)
    header, rows, descriptor = _water_table(150, seed=3, faults=4)
    _chunk_check(header, rows, descriptor, layer)  # the layer's first chunk: read on a file
    header, rows, descriptor = _water_table(150, seed=4, faults=4)
    real = validation.compile_table_schema

    def blind(schema, header):  # a checker blind to the integer field, flagging "flag me" names
        check = real(schema, header)
        tests = list(check.tests)
        tests[3] = lambda col, empty: np.zeros(len(col), dtype=bool)
        tests[1] = lambda col, empty: np.asarray(pa.compute.equal(col, "flag me").to_numpy(zero_copy_only=False))
        check.tests = tests
        return check

    monkeypatch.setattr(validation, "compile_table_schema", blind)
    rows[140][3], rows[140][1] = "x1", "flag me"
    checked = _chunk_check(header, rows, descriptor, layer)
    assert checked.errors == OFFICIAL_ROWS(header, rows, descriptor)
    assert any(f == 140 and rule == "type-error" for f, _, rule, _ in checked.errors)
    assert runs["whole"] == 0 and runs["rows"] and runs["file"] == 1  # read without a file

    rows[10][3] = "x2"  # a miss among the first lines, which are read: frictionless on every row
    checked = _chunk_check(header, rows, descriptor, layer)
    assert checked.errors == OFFICIAL_ROWS(header, rows, descriptor)
    assert runs["whole"] == 1 and "passed rows frictionless rejects" in caplog.text


def test_a_chunk_whose_first_lines_read_as_another_dialect_goes_whole(runs):
    """Not given to frictionless, a chunk still is when frictionless would guess another CSV dialect from its
    first lines (here, semicolons in every first cell): whole, as before."""
    layer = validation.TableLayer(400)
    header, rows, descriptor = _water_table(200, seed=5, faults=0)
    _chunk_check(header, rows, descriptor, layer)
    header, rows, descriptor = _water_table(200, seed=6, faults=0)
    for r in rows[:150]:
        r[1] = "a;b;c;d"
        r[12] = "e;f;g"
    checked = _chunk_check(header, rows, descriptor, layer)
    assert checked.errors == OFFICIAL_ROWS(header, rows, descriptor)
    assert runs["whole"] == (0 if validation._plain_lines(validation._first_lines(header, rows)) else 1)


# -- the PEI profile's path: a streamed layer of the bundled sample's rows -----------------------------------


def _pei_frame(copies: int) -> tuple[pd.DataFrame, list, dict]:
    run = check_theme(PEI_SAMPLE, "pei", ThemeOptions(area="occitanie"), ReadOptions(source_crs="EPSG:2154"))
    assert run.dataset is not None
    frame = pd.concat([run.dataset.frames["main"]] * copies, ignore_index=True)
    return frame, list(PeiProfile.roles[0].fields), load_schema(pei_module.SCHEMA_FILE)


def test_pei_layer_in_chunks(runs):
    """The PEI sample's rows (faults of the schema in a third of them) as a layer of chunks, and clean chunks:
    each chunk's findings and those after its faulty and first rows are left out are frictionless' own."""
    frame, fields, descriptor = _pei_frame(6)
    profile = PeiProfile()

    def official(part: pd.DataFrame) -> list:
        header, rows = profile.table(ThemeDataset(frames={"main": part}))
        return OFFICIAL_ROWS(header, list(rows), descriptor)

    clean = frame.drop(index=sorted({f for f, *_ in official(frame) if f is not None})).reset_index(drop=True)
    chunks = [frame.iloc[:45], clean.iloc[:40], frame.iloc[45:100], clean.iloc[40:80], frame.iloc[100:]]
    chunks = [c.reset_index(drop=True) for c in chunks]
    layer = validation.TableLayer(sum(map(len, chunks)))
    runs["file"] = 0  # (the sample's own check above)
    for k, chunk in enumerate(chunks):
        files = runs["file"]
        checked = validation.check_table_frame(chunk, fields, descriptor, true_false=("1", "0"), layer=layer)
        assert checked.errors == official(chunk)
        assert runs["file"] == (1 if k == 0 else files)
        bad = sorted({f for f, *_ in checked.errors if f is not None})
        keep = np.ones(len(chunk), dtype=bool)
        keep[[*bad, 0, 2]] = False
        again = checked.without(keep)
        assert again.errors == official(chunk[keep].reset_index(drop=True))
    assert runs["file"] == 1 and runs["rows"] and runs["whole"] == 0


def test_validate_chunk_of_a_streamed_pei_layer_reports_what_validating_again_reported(runs, monkeypatch):
    """``validate_chunk`` on a chunk of a larger layer (after one chunk the layer's header was read): the same
    report and rows as the earlier procedure (the whole chunk validated by frictionless at each round)."""
    run = check_theme(PEI_SAMPLE, "pei", ThemeOptions(area="occitanie"), ReadOptions(source_crs="EPSG:2154"))
    assert run.dataset is not None and run.profile is not None
    frame = pd.concat([run.layers[0].frame] * 4, ignore_index=True)
    run.layers[0].frame = run.dataset.frames["main"] = frame
    run.report.issues = [i for i in run.report.issues if i.code not in ("SCHEMA_INVALID", "SCHEMA_VALID")]
    before = copy.deepcopy(run)
    layer = validation.TableLayer(10 * len(frame), seen=len(frame), judged=True)  # its second chunk
    run.dataset.notes.setdefault("main", {})[validation.TABLE_LAYER] = layer
    runs["file"] = 0  # (the sample's own check above)
    validate_chunk(run, drop_invalid=True)
    assert runs["file"] == 0 and runs["rows"] and runs["whole"] == 0

    monkeypatch.setattr(validation, "SMALL_LAYER", 10**6)  # the earlier procedure: frictionless on every row
    assert before.profile is not None and before.dataset is not None
    before.profile.validate(before.dataset, before.report)
    _drop_invalid(before)
    assert [i.to_dict() for i in run.report.issues] == [i.to_dict() for i in before.report.issues]
    assert run.layers[0].frame.equals(before.layers[0].frame)
    assert any(i.code == "FEATURES_LEFT_OUT" for i in run.report.issues)


# -- the texts the compiled checker tests ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kind", "dtype"),
    [
        ([0.1 * i for i in range(40)] + [np.nan, np.inf, -np.inf, -0.0, 2.0**62, 2.0**63 + 2048, -(2.0**70)],
         "number", float),
        ([0.1 * i for i in range(40)] + [np.nan, np.inf, -0.0, 2.0**62, 1e16], "integer", float),
        ([0.1 * i for i in range(40)] + [np.nan, 1e16, 5e-324], "string", float),
        ([1.5, 1.5, 2.0, -0.0, 0.0, np.nan, 1.5, 2.0, 1.5, 2.0] * 5, "number", float),  # repeating: by distinct value
        ([2.2, None, 30.0, np.nan, None, -0.0, np.inf, 1e300] * 4, "number", object),  # measures read as objects
        ([2.2, None, 30.0] * 4, "string", object),
        ([None, None], "number", object),
        ([np.float32(1.1), None, 2.0], "number", object),
        ([], "number", float),
    ],
)  # fmt: skip
def test_float_texts_are_the_products_texts(values, kind, dtype):
    series = pd.Series(values, dtype=dtype)
    codes, texts = csv_texts(series, kind, ("1", "0"))
    mine_codes, mine = validation._texts(series, kind, ("1", "0"))
    assert mine.take(pa.array(mine_codes, type=pa.int32())).to_pylist() == [texts[c] for c in codes]


def test_rows_of_encoded_columns():
    table = validation._Table(["a", "b"], [(np.array([1, 0, 1], dtype=np.int32), pa.array(["x", "=y"])),
                                           (np.arange(3, dtype=np.int32), pa.array(["é", "", "-1"]))],
                              np.zeros(3, dtype=bool))  # fmt: skip
    assert table.rows_at(slice(None)) == [["=y", "é"], ["x", ""], ["=y", "-1"]]
    assert table.neutral_rows_at(np.array([0, 2])) == [["'=y", "é"], ["'=y", "-1"]]


# -- hiking: the compiled checker's verdicts kept for the chunk validated again -------------------------------


def _trails(n: int) -> pd.DataFrame:
    run = check_theme(REPO / "examples/hiking/cevennes_itineraires.json", "hiking", ThemeOptions())
    frame = run.layers[0].frame
    frame = frame.iloc[np.arange(n) % len(frame)].reset_index(drop=True)
    for i, name, value in ((5, "pratique", "ski alpin"), (17, "date_creation", "31/12/2020"), (30, "pratique", "x")):
        frame.loc[i, name] = value
    return frame


def test_hiking_chunk_validated_again_with_the_first_verdicts(monkeypatch):
    monkeypatch.setattr(validation, "SMALL_LAYER", 10)
    monkeypatch.setattr(validation, "PREFIX_FEATURES", 3)
    monkeypatch.setattr(validation, "SAMPLE_FEATURES", 6)
    frame = _trails(40)
    fields, schema = list(HikingProfile.roles[0].fields), load_schema("itineraire-randonnee.schema.json")
    layer = validation.LayerSample(len(frame))
    checked = validation.check_feature_frame(frame, fields, schema, layer)
    assert checked.errors == OFFICIAL_JSON(products.feature_collection(frame, fields), schema)
    assert checked.flags is not None and checked.flags[[5, 17, 30]].all()
    for out in ([5, 17, 30], [0, 1, 5, 17, 30, 39], [17]):
        keep = np.ones(len(frame), dtype=bool)
        keep[out] = False
        kept = frame[keep].reset_index(drop=True)
        flags = checked.kept(keep, len(kept))
        recomputed = validation.check_feature_frame(kept, fields, schema, validation.LayerSample(len(frame)))
        assert flags is not None and (flags == recomputed.flags).all()  # each feature judged alone
        again = validation.check_feature_frame(kept, fields, schema, layer, again=True, flags=flags)
        assert again.errors == OFFICIAL_JSON(products.feature_collection(kept, fields), schema)
    assert checked.kept(keep[:-1], len(kept)) is None  # not that chunk's rows: judged again from the start


def test_hiking_profile_validates_once(monkeypatch):
    """The profile through ``validate_chunk``: the same report and rows as validating the chunk again from the
    start at each round (the earlier procedure), the checker run once on the chunk."""
    monkeypatch.setattr(validation, "SMALL_LAYER", 10)
    frame = _trails(40)
    run = check_theme(REPO / "examples/hiking/cevennes_itineraires.json", "hiking", ThemeOptions())
    assert run.dataset is not None and run.profile is not None
    run.layers[0].frame = run.dataset.frames["main"] = frame
    run.layers[0].error_rows = [2, 9]
    run.report.issues = [i for i in run.report.issues if i.code not in ("SCHEMA_INVALID", "SCHEMA_VALID")]
    before = copy.deepcopy(run)
    for r in (run, before):
        assert r.dataset is not None
        r.dataset.notes.setdefault("main", {})[VALIDATION_STATE] = validation.LayerSample(len(frame))
        r.dataset.notes["main"][LAYER_FEATURES] = len(frame)
    columns = []
    real = validation._property_columns
    monkeypatch.setattr(validation, "_property_columns", lambda f, fl: columns.append(len(f)) or real(f, fl))
    assert isinstance(run.profile, validation.ValidatesOnce)
    validate_chunk(run, drop_invalid=True)
    assert columns == [len(frame)]  # the checker read the chunk once, whatever the rounds
    assert before.profile is not None and before.dataset is not None
    before.profile.validate(before.dataset, before.report)
    _drop_invalid(before)  # each round: validate() from the start
    assert [i.to_dict() for i in run.report.issues] == [i.to_dict() for i in before.report.issues]
    assert run.layers[0].frame.equals(before.layers[0].frame)
    assert any(i.code == "FEATURES_LEFT_OUT" for i in run.report.issues)


def test_coordinate_texts_are_their_reprs():
    values = np.array([3.8765432, -0.0, 0.0, 1e16, 5e-324, np.inf, -np.inf, np.nan, 43.0, -1.23456789e-7])
    codes, texts = validation._float_texts(values)
    assert texts.take(pa.array(codes)).to_pylist() == ["" if np.isnan(v) else repr(v) for v in values.tolist()]


def test_numbers_read_as_python_reads_them():
    rng = np.random.default_rng(7)
    texts = [".5", "5.", "+5", "-0", "00012", "1E5", "0.1e-3", "1e400", "-1e-400", "9" * 400, "180.00000000000001"]
    texts += [f"{v!r}" for v in rng.normal(size=200) * 10.0 ** rng.integers(-30, 30, 200)]
    texts += [f"{v:.{d}f}" for v, d in zip(rng.uniform(-200, 200, 200), rng.integers(0, 25, 200), strict=True)]
    read = compiled_table._numbers(pa.array(texts))
    assert read.tolist() == [float(t) for t in texts]

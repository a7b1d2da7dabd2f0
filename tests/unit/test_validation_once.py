"""Validation once (``--drop-invalid``): a table with rows left out is judged again only where that can change.

"Official" is frictionless on every row of the table as it stands after the rows are left out (what the second,
whole validation gave before); "once" is :meth:`odl_geo.profiles.validation.TableCheck.without`, which keeps the
compiled checker's verdicts on the kept rows and reads again only the rows they flag, the rows whose ``unique``
value is still repeated and the first lines. Both must give the same findings, messages and row numbers included.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from odl_geo.profiles import compiled_table, products, validation
from odl_geo.profiles import pei as pei_module
from odl_geo.profiles.pei import PeiProfile
from odl_geo.profiles.schemas import load_schema
from odl_geo.profiles.water import table_schema
from odl_geo.report import Severity
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme
from odl_geo.theme.outputs import _drop_invalid, validate_chunk

if TYPE_CHECKING:
    from odl_geo.theme.run import ThemeRun

REPO = Path(__file__).resolve().parents[2]
PEI_SCHEMA = "point-eau-incendie.schema.json"
PEI_SAMPLE = REPO / "tests/data/pei/pei_generated_occitanie.csv"


@pytest.fixture
def fast(monkeypatch):
    """Small tables through the fast path (small samples); returns the sizes of the tables frictionless got whole
    and the rows it read on the fast path, call by call, and the official validator itself."""
    monkeypatch.setattr(validation, "SMALL_LAYER", 0)
    monkeypatch.setattr(validation, "PREFIX_ROWS", 3)
    monkeypatch.setattr(validation, "SAMPLE_ROWS", 3)
    whole: list[int] = []
    read: list[int] = []
    official, on_rows = products.validate_rows, validation._frictionless_on

    def spy_whole(header, rows, descriptor):
        rows = list(rows)
        whole.append(len(rows))
        return official(header, rows, descriptor)

    def spy_read(header, n, keep, kept_rows, descriptor):
        read.append(len(keep))
        return on_rows(header, n, keep, kept_rows, descriptor)

    monkeypatch.setattr(products, "validate_rows", spy_whole)
    monkeypatch.setattr(validation, "_frictionless_on", spy_read)
    return whole, read, official


def _water_rows(n: int) -> tuple[list[str], list[list[str]], dict]:
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    rows = [[f"id{i}", "", "fontaine"] + [""] * 7 + ["2020-01-01", "", "", "", "", "", "3.8", "43.6"] for i in range(n)]
    return header, rows, descriptor


def _kept(rows: list, keep: np.ndarray) -> list:
    return [r for r, k in zip(rows, keep.tolist(), strict=True) if k]


def _mask(n: int, drop: list[int]) -> np.ndarray:
    keep = np.ones(n, dtype=bool)
    keep[drop] = False
    return keep


@pytest.mark.parametrize(
    "drop",
    [
        [140],  # the middle one of three: the last one now repeats the first (another row number in the note)
        [20],  # the first one: the last one repeats the middle one
        [20, 140],  # two of three: nothing repeats any more
        [0, 1, 2, 50, 250],  # rows before the repeats: every row number moves, the first bytes change
        [],
    ],
)
def test_unique_findings_after_rows_are_left_out_are_the_official_ones(fast, drop):
    whole, read, official = fast
    header, rows, descriptor = _water_rows(300)
    rows[20][0] = rows[140][0] = rows[250][0] = "twice"
    rows[60][10] = "2020-13-01"  # a row error, kept
    first = validation.check_table_rows(header, rows, descriptor)
    assert first.errors == official(header, rows, descriptor)
    read.clear()
    keep = _mask(len(rows), drop)
    again = first.without(keep)
    expected = official(header, _kept(rows, keep), descriptor)
    assert again.errors == expected
    assert ("unique-error" in {rule for _, _, rule, _ in expected}) == (drop != [20, 140])
    assert not whole, "frictionless ran on every row"
    # the first lines, the row the compiled checker flags and the repeated identifiers: not the whole table again
    assert read and read[-1] <= validation.SNIFF_LINES + 3


def test_rows_left_out_of_a_pei_frame_round_after_round(fast):
    """The profile's own path (texts built from the frame): each round's findings are frictionless' on the frame
    as it stands, the rows with findings of the earlier rounds renumbered."""
    whole, _, official = fast
    ds = _pei_run(copies=8).dataset
    assert ds is not None
    profile = PeiProfile()
    frame = ds.frames["main"]
    header, rows = profile.table(ds)
    rows = list(rows)
    fields, descriptor = list(profile.roles[0].fields), load_schema(PEI_SCHEMA)
    check = validation.check_table_frame(frame, fields, descriptor, true_false=("1", "0"))
    assert check.errors == official(header, rows, descriptor) and check.errors
    bad = sorted({f for f, *_ in check.errors if f is not None})
    for drop in (bad[: len(bad) // 2], list(range(0, 40, 3)), bad):  # half the faulty rows, then rows in the head
        keep = _mask(len(rows), [d for d in drop if d < len(rows)])
        check = check.without(keep)
        rows = _kept(rows, keep)
        frame = frame[keep].reset_index(drop=True)
        assert check.errors == official(header, rows, descriptor)
        # what the second validation gave before: the profile's validation of the frame from the start
        assert check.errors == validation.validate_table_frame(frame, fields, descriptor, true_false=("1", "0"))
        bad = sorted({f for f, *_ in check.errors if f is not None})
    assert not whole


def test_a_compiler_miss_read_again_sends_the_kept_rows_to_frictionless_whole(fast, monkeypatch, caplog):
    """A row the compiled checker wrongly passed that the first validation did not read comes into the first
    lines once rows before it are left out: frictionless rejects it, every kept row is then validated whole."""
    whole, _, official = fast
    header, rows, descriptor = _water_rows(300)
    monkeypatch.setattr(compiled_table, "_date_test", lambda col: np.zeros(len(col), dtype=bool))
    sampled = set(validation._selection(len(rows), np.zeros(len(rows), dtype=bool), validation.SNIFF_LINES, 3))
    late = next(i for i in range(validation.SNIFF_LINES, validation.SNIFF_LINES + 20) if i not in sampled)
    rows[late][10] = "31/12/1999"  # moves into the first lines once the first 20 rows are left out
    first = validation.check_table_rows(header, rows, descriptor)
    assert first.errors == []  # the compiler's miss, not read by the sample: the fast path cannot see it
    keep = _mask(len(rows), list(range(20)))
    with caplog.at_level(logging.WARNING, logger="odl_geo.validation"):
        again = first.without(keep)
    assert again.errors == official(header, _kept(rows, keep), descriptor) != []
    assert whole == [len(rows) - 20]
    assert "compiled Table Schema checker passed rows frictionless rejects" in caplog.text


def test_a_table_validated_whole_is_validated_whole_again(monkeypatch):
    """Small tables (the bundled samples) go to frictionless whole, after rows are left out too, as before."""
    header, rows, descriptor = _water_rows(40)
    rows[3][0] = rows[9][0] = "twice"
    calls = []
    official = products.validate_rows
    monkeypatch.setattr(products, "validate_rows", lambda h, r, d: calls.append(len(r := list(r))) or official(h, r, d))
    first = validation.check_table_rows(header, rows, descriptor)
    keep = _mask(len(rows), [9, 30])
    assert first.without(keep).errors == official(header, _kept(rows, keep), descriptor) == []
    assert calls == [40, 38]


def _pei_run(copies: int) -> ThemeRun:
    """The bundled PEI sample checked (its faults: errors of the checks and of the schema), its rows repeated."""
    run = check_theme(PEI_SAMPLE, "pei", ThemeOptions(area="occitanie"), ReadOptions(source_crs="EPSG:2154"))
    assert run.dataset is not None
    frame = pd.concat([run.layers[0].frame] * copies, ignore_index=True)
    run.layers[0].frame = run.dataset.frames["main"] = frame
    return run


@pytest.mark.parametrize("copies", [1, 9])
def test_drop_invalid_validating_once_reports_what_validating_again_reported(fast, monkeypatch, copies):
    """``validate_chunk`` (validated once, continued on the kept rows) and the earlier procedure (validated, then
    the whole chunk validated again at each round) leave the same rows and write the same report."""
    run = _pei_run(copies)
    run.report.issues = [i for i in run.report.issues if i.code not in ("SCHEMA_INVALID", "SCHEMA_VALID")]
    before = copy.deepcopy(run)
    assert isinstance(run.profile, validation.ValidatesOnce)
    validated = []

    def spy(frame, *args, **kwargs):
        validated.append(len(frame))
        return validation.check_table_frame(frame, *args, **kwargs)

    monkeypatch.setattr(pei_module, "check_table_frame", spy)
    validate_chunk(run, drop_invalid=True)
    assert validated == [30 * copies]  # the frame's text built and checked once, whatever the rounds

    monkeypatch.undo()
    assert before.profile is not None and before.dataset is not None
    before.profile.validate(before.dataset, before.report)  # the earlier procedure
    _drop_invalid(before)
    assert [i.to_dict() for i in run.report.issues] == [i.to_dict() for i in before.report.issues]
    assert run.layers[0].frame.equals(before.layers[0].frame)
    assert any(i.code == "FEATURES_LEFT_OUT" for i in run.report.issues)
    assert not run.report.by_severity(Severity.ERROR)


# -- the texts of a column, and the layer's sample -----------------------------------------------------------


@pytest.mark.parametrize(
    "values, kind",
    [
        (["a", None, "a", "b", "", "é\u00a0x", "=1+2", "a"], "string"),
        ([np.str_("x"), "x", None, None], "string"),
        (["true", "", None], "boolean"),  # a boolean field's text is not the text: csv_texts decides
        ([1.5, 1.5, 2.0, np.nan, -0.0, 0.0, np.inf, 2.0, 1.5, 1e16, 1.5, 2.0], "number"),
        ([1.5, 1.5, 2.0, np.nan, -0.0, 0.0, 2.0, 1.5, 2.0, 1.5], "string"),
        ([3.0, 3.0, 3.0, 3.0], "integer"),
        ([0.1 * i for i in range(50)], "number"),  # all distinct: csv_texts as it is
        (["1", 1, 1.0, True, None], "string"),  # mixed types: csv_texts as it is
    ],
)
def test_the_texts_validated_are_the_products_texts(values, kind):
    series = pd.Series(values, dtype=float if all(isinstance(v, float) for v in values) else object)
    codes, texts = products.csv_texts(series, kind, ("1", "0"))
    mine_codes, mine = validation._texts(series, kind, ("1", "0"))
    assert mine.take(pa.array(mine_codes)).to_pylist() == [texts[c] for c in codes]


def _chunks_validated(rows: list[list[str]], header, descriptor, size: int, layer) -> list[validation.TableCheck]:
    frame_rows = [rows[i : i + size] for i in range(0, len(rows), size)]
    out = []
    for part in frame_rows:
        texts, odd = validation._row_texts(part, len(header))
        plan = layer.plan(len(part)) if layer is not None else None
        out.append(validation._check_table(validation._Table(header, texts, odd, part), descriptor, plan=plan))
    return out


def test_a_layer_validated_chunk_by_chunk_shares_one_sample(fast):
    """A streamed layer's chunks: the findings of frictionless on each chunk, the layer's first rows and sample
    read once for the layer (each chunk its share and the lines frictionless guesses the dialect from)."""
    whole, read, official = fast
    header, rows, descriptor = _water_rows(1200)
    for i in (5, 250, 610, 1190):
        rows[i][10] = "2020-02-30"
    rows[700][0] = rows[1100][0] = "twice"  # in another chunk: within each chunk, no repeat
    rows[701][0] = rows[705][0] = "again"
    layer = validation.TableLayer(len(rows))
    checks = _chunks_validated(rows, header, descriptor, 300, layer)
    for k, check in enumerate(checks):
        assert check.errors == official(header, rows[300 * k : 300 * (k + 1)], descriptor)
    assert [f for f, *_ in checks[2].errors] == [10, 105]  # 610 and the repeat at 705, chunk-local
    assert not whole
    # each chunk: its first lines (the layer's 3 first rows among them), its share of the 3 rows drawn over the
    # layer (one), and its flagged rows beyond the first lines (250; none; 701 and 705; 1190)
    sniff = validation.SNIFF_LINES
    assert read == [sniff + 1 + 1, sniff + 1, sniff + 1 + 2, sniff + 1 + 1]
    assert layer.seen == 1200


def test_layer_plans():
    small = validation.TableLayer(validation.SMALL_LAYER)
    assert [small.plan(n) for n in (2000, 2000, 1000)] == [(True, 0, 0)] * 3  # however cut: frictionless whole
    big = validation.TableLayer(100_000)
    prefix, sample, sniff = validation.PREFIX_ROWS, validation.SAMPLE_ROWS, validation.SNIFF_LINES
    assert big.plan(20_000) == (False, max(prefix, sniff), sample // 5)
    assert big.plan(3_000) == (False, sniff, int(np.ceil(sample * 3_000 / 100_000)))  # a small chunk: fast too
    unknown = validation.TableLayer(None)
    assert unknown.plan(20_000) == (False, max(prefix, sniff), sample)  # each chunk a table of its own
    assert unknown.plan(100) == (True, max(prefix, sniff), sample)

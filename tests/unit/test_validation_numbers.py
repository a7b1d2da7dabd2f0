"""Issue 16, fifth round: the compiled Table Schema checker reads a number field's doubles instead of parsing their
texts again (:data:`odl_geo.profiles.compiled_table.Numbers`), when validation wrote those texts from doubles.

Its verdicts must be the text tests' own, for every kind of double (random bit patterns, the 10⁻⁷ grid, whole
numbers small and past 2⁶², signed zeros, NaN and infinities, values at the bounds) written every way validation
writes them (a number or integer field's texts, whole numbers as integers; another field's; coordinates as
``repr``), against number and integer fields with bounds, enumerations and ``required``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from odl_geo.profiles import validation
from odl_geo.profiles.compiled_table import compile_table_schema, parse_risks


def _doubles() -> np.ndarray:
    rng = np.random.default_rng(16)
    bits = rng.integers(0, 2**64, 20_000, dtype=np.uint64).view(np.float64)
    grid = rng.integers(-(10**12), 10**12, 20_000) / 1e7
    whole = rng.integers(-1000, 1000, 5_000).astype(float)
    edges = [0.0, -0.0, -1.0, 1.0, 180.0, -180.0, 90.0, -90.0, 180.00000000000003, -90.00000000000001, 1e16, -1e16,
             2.0**62, 2.0**63, -(2.0**63), 1e300, 5e-324, 0.5, -0.5, 4.2, 1e-7, np.nan, np.inf, -np.inf]  # fmt: skip
    return np.concatenate([bits, grid, whole, edges, edges[::-1]])


FIELDS = [
    {"name": "n", "type": "number"},
    {"name": "n_bounds", "type": "number", "constraints": {"minimum": -180, "maximum": 180}},
    {"name": "n_req", "type": "number", "constraints": {"required": True, "minimum": 0}},
    {"name": "n_enum", "type": "number", "constraints": {"enum": [0, 1, 180]}},
    {"name": "n_exclusive", "type": "number", "constraints": {"exclusiveMinimum": -90, "exclusiveMaximum": 90}},
    {"name": "i", "type": "integer"},
    {"name": "i_bounds", "type": "integer", "constraints": {"minimum": -1000, "maximum": 1000, "required": True}},
    {"name": "i_enum", "type": "integer", "constraints": {"enum": [-1, 0, 1]}},
]


@pytest.mark.parametrize("written", ["number", "integer", "string", "date", "coordinates", "object"])
def test_number_tests_read_the_doubles_as_the_texts_say(written: str) -> None:
    values = _doubles()
    header = [f["name"] for f in FIELDS]
    check = compile_table_schema({"fields": FIELDS}, header)
    columns, numbers = [], []
    for _ in FIELDS:
        if written == "coordinates":
            encoded, known = validation._numbered_float_texts(values)
        elif written == "object":  # floats and None in an object column (measures read as objects)
            cells = pd.Series([None if i % 7 == 0 else v for i, v in enumerate(values.tolist())], dtype=object)
            encoded, known = validation._numbered_texts(cells, "number", ("1", "0"))
        else:
            encoded, known = validation._numbered_texts(pd.Series(values), written, ("1", "0"))
        columns.append(encoded)
        numbers.append(known)
    if written == "coordinates":
        assert numbers[0] is None  # an infinity's text is "inf": its column is judged on the text
        finite = values[~np.isinf(values)]
        columns = [validation._numbered_float_texts(finite)[0] for _ in FIELDS]
        numbers = [validation._numbered_float_texts(finite)[1] for _ in FIELDS]
    assert all(known is not None for known in numbers)
    on_texts = check.rows(columns)
    on_numbers = check.rows(columns, numbers, parse_risks(columns, numbers))
    assert on_numbers.any()
    assert (on_numbers == on_texts).all(), np.flatnonzero(on_numbers != on_texts)[:10]
    mixed = 0
    for j, f in enumerate(FIELDS):  # field by field too
        alone = compile_table_schema({"fields": [f]}, [f["name"]])
        texts = alone.rows([columns[j]])
        assert (alone.rows([columns[j]], [numbers[j]]) == texts).all(), f["name"]
        mixed += bool(texts.any() and not texts.all())
    assert mixed >= 4  # rows passed and rows flagged in most fields
    assert not any(r.any() for r in parse_risks(columns))  # number texts hold no NUL, CR, LF


def test_numbered_texts_are_the_texts() -> None:
    """The texts beside the numbers are :func:`validation._texts`' and ``_float_texts``' own."""
    values = _doubles()
    for kind in ("number", "integer", "string"):
        (codes, texts), _ = validation._numbered_texts(pd.Series(values), kind, ("1", "0"))
        (codes2, texts2) = validation._texts(pd.Series(values), kind, ("1", "0"))
        assert texts.take(codes).to_pylist() == texts2.take(codes2).to_pylist()
    (codes, texts), (numbers, whole) = validation._numbered_float_texts(values[np.isfinite(values) | np.isnan(values)])
    assert not whole
    shown = texts.take(codes).to_pylist()
    assert shown == ["" if np.isnan(v) else repr(float(v)) for v in numbers[codes].tolist()]


def test_date_test_is_strptime() -> None:
    """The compiled date test flags exactly the texts ``datetime.strptime(text, "%Y-%m-%d")`` (frictionless'
    default date format) refuses among texts ``YYYY-MM-DD`` (every month 00-19 and day 00-39 of years around each
    leap rule, the first and last years), and every text of another shape (some of which strptime takes)."""
    from datetime import datetime

    import pyarrow as pa

    from odl_geo.profiles.compiled_table import _date_test

    years = [1, 4, 99, 100, 400, 999, 1582, 1600, 1677, 1700, 1900, 1996, 2000, 2023, 2024, 2100, 2262, 2400, 9999]
    texts = [f"{y:04d}-{m:02d}-{d:02d}" for y in years for m in range(20) for d in range(40)]
    texts += ["0000-01-01", "2024-1-01", "2024-01-1", " 2024-01-01", "2024-01-01 ", "2024/01/01",
              "\uff12\uff10\uff12\uff14-01-01", "2024-01-01T00:00", "", "20240101", "+2024-01-01",
              "2024-13-01", "2024-00-10"]  # fmt: skip

    def refused(text: str) -> bool:
        try:
            datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            return True
        return False

    expected = [refused(t) for t in texts]
    assert any(expected) and not all(expected)
    column = pa.array(texts, type=pa.string())
    flagged = _date_test(column).tolist()
    shaped = len(years) * 20 * 40  # YYYY-MM-DD: flagged exactly when refused
    assert flagged[:shaped] == expected[:shaped]
    # others: flagged (frictionless judges them), strptime's leniency (one-digit month, full-width digits) aside
    assert all(flagged[shaped:]) and not all(expected[shaped:])
    assert _date_test(column.slice(7, 500)).tolist() == flagged[7:507]  # an array that starts at an offset


@pytest.mark.parametrize("n", [0, 2, 5, 400, 3000])
def test_csv_head_is_the_writers(n: int) -> None:
    """The CSV bytes of the table's first rows, and the first lines frictionless guesses the dialect from, made
    by Arrow from the table's cells (the CSV product's lines) are the csv writer's own: awkward texts (quotes,
    line breaks, formula starts, non-ASCII), floats, integers, None."""
    import csv
    import io

    from odl_geo.csvsafe import neutralise_csv_row
    from odl_geo.profiles.registry import load_profile
    from tests.unit.test_validated_texts import _awkward_frame

    fields = list(load_profile("pei").roles[0].fields)
    frame = _awkward_frame("pei", max(n, 5)).iloc[:n]
    texts = [validation._texts(frame[f.name], f.kind, ("1", "0")) for f in fields]
    table = validation._Table([f.name for f in fields], texts, np.zeros(n, dtype=bool))
    for stop in (0, 1, 7, 256, 768, 10**6):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(neutralise_csv_row(table.header))
        writer.writerows(table.neutral_rows_at(slice(0, stop)))
        assert table.csv_bytes(stop) == buf.getvalue().encode("utf-8"), stop
    rows = table.neutral_rows_at(slice(0, validation.SNIFF_LINES))
    assert table.first_lines() == validation._first_lines(table.header, rows)

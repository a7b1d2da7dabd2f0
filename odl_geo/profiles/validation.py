"""Fast product validation: a compiled equivalent of the schema on every row, the official validator as the judge.

``frictionless`` checks a CSV row in about 75 µs of Python and ``jsonschema`` a hiking feature in about 2 ms: on a
layer of 100 000 features validation cost more than the whole conversion. Conformance stays decided by those
official tools, run exactly as before (:mod:`.products`, section "official validators"), but not on every row:

1. the schema is *compiled* into column tests (numpy, pandas, pyarrow compute) that return the rows which MAY
   fail (:mod:`.compiled_table` for Table Schemas, :mod:`.compiled_json` for JSON Schemas). Every keyword the
   schema uses is translated; a keyword the compiler does not know raises :class:`Unsupported` and the official
   validator then runs on every row (correct, slow), never a silent pass;
2. the official validator runs on the flagged rows plus a deterministic sample (the first :data:`PREFIX_ROWS` rows
   and :data:`SAMPLE_ROWS` more drawn with a fixed seed). Its findings are the report's, so the messages, counts
   and examples are the official ones. If it rejects a sampled row the compiled checker passed, the compiler is
   wrong: every row is then validated officially and a warning is logged;
3. layers of at most :data:`SMALL_LAYER` rows are validated officially on every row, as before.

Rows keep their positions: the CSV handed to ``frictionless`` has every row at its place, the rows left out
replaced by a one-cell line starting with :data:`SKIP` that the dialect declares a comment, so its row numbers
(and the row numbers inside its messages) are those of the whole table, chunk-local in a streamed run. It is told
the file's encoding, UTF-8, the product's own (as on the whole table: :func:`.products.validate_rows`; its
detector, chardet, is never run on a text the run wrote itself), and the first :data:`SNIFF_LINES` rows are real,
so it guesses the same CSV dialect. A table it would read otherwise than as written (another dialect, a carriage
return in a cell, which it takes for a line break) goes to it whole. The features handed to ``jsonschema`` are a
sub-collection whose indexes are mapped back.

Cross-row rules: Table Schema ``unique`` is judged within the frame validated, every row of a repeated value
being flagged so that frictionless sees each group whole (``primaryKey`` is not compiled: every row goes to
frictionless). The streaming pipeline validates one chunk at a time (issue 16): across chunks, the DUPLICATE_ID
check (bounded state over the whole layer) reports repeated identifiers, not this module.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import logging
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..csvsafe import neutralise_csv_cell, neutralise_csv_row
from . import products
from .compiled_json import MISSING, NumberArrays, Numbers, ObjectColumns, compile_feature_schema
from .compiled_table import Encoded, Mask, Unsupported, as_mask, compile_table_schema, parse_risks
from .compiled_table import Numbers as TextNumbers
from .product_numbers import reprs
from .product_sinks import PRECISION, ROUNDED_LINES, VALIDATED_TEXTS, csv_texts, geometry_mapping, json_value
from .product_text import Distinct, csv_header, csv_join, float_csv_texts, quoted_cells, text_column

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import geopandas as gpd

    from ..report import Report
    from .base import TargetField, ThemeDataset

__all__ = [
    "PREFIX_FEATURES",
    "PREFIX_ROWS",
    "SAMPLE_FEATURES",
    "SAMPLE_ROWS",
    "SMALL_LAYER",
    "FeatureCheck",
    "LayerSample",
    "TableCheck",
    "TableLayer",
    "Unsupported",
    "ValidatedTexts",
    "ValidatesOnce",
    "check_feature_frame",
    "check_table_frame",
    "check_table_rows",
    "compile_feature_schema",
    "compile_table_schema",
    "keep_layer_state",
    "keep_rounded_lines",
    "keep_texts",
    "kept_rows_check",
    "prepare_validation",
    "streamed_layer",
    "table_layer",
    "validate_feature_collection",
    "validate_feature_frame",
    "validate_table_frame",
    "validate_table_rows",
    "validated",
]

log = logging.getLogger("odl_geo.validation")

#: rows: at most this many, the official validator runs on every row (the bundled samples, a few hundred rows, go
#: through it unchanged). Below ``ThemeOptions.chunk_rows`` (20 000), or every chunk of a streamed run would.
SMALL_LAYER = 5_000
# per call (a chunk of 20 000 rows in a streamed run): the first rows, always validated officially (at least the
# 100 lines frictionless sniffs the CSV dialect from), and more rows drawn with SEED; about 5 % of a chunk
PREFIX_ROWS = 500
SAMPLE_ROWS = 500
SNIFF_LINES = 100  # frictionless guesses the CSV dialect from the first 100 lines: they stay real rows
# jsonschema takes about 0.7 ms a hiking feature (frictionless 75 µs a row): a smaller sample, same purpose
PREFIX_FEATURES = 50
SAMPLE_FEATURES = 100
SEED = 16
SKIP = "#odl-geo:skip#"  # first cell of the placeholder lines (declared comments) standing for rows left out

Errors = list[tuple[int | None, str, str, str]]


# -- which rows to give the official validator --------------------------------------------------------------


def _selection(n: int, flagged: Mask, prefix: int = PREFIX_ROWS, sample: int = SAMPLE_ROWS) -> np.ndarray:
    """Sorted indexes: the flagged rows, the first ``prefix`` rows and a seeded sample of ``sample`` others."""
    keep = flagged.copy()
    keep[:prefix] = True
    rest = np.flatnonzero(~keep)
    if len(rest):
        rng = np.random.default_rng(SEED)
        keep[rng.choice(rest, size=min(sample, len(rest)), replace=False)] = True
    return np.flatnonzero(keep)


def _compiler_missed(errors: Errors, flagged: Mask) -> list[int]:
    return sorted({f for f, *_ in errors if f is not None and 0 <= f < len(flagged) and not flagged[f]})


# -- Table Schema (frictionless) ----------------------------------------------------------------------------

# a CR is written unquoted (the writer ends lines with LF) and read back as a line break: the rows after it are
# numbered differently from the rows written, so the table goes to frictionless whole
_SPLITS_ROWS = "[\x00\r]"


@dataclass
class _Table:
    """A CSV product's table as the validators need it: its columns dictionary-encoded (row ``i``'s text of a
    column is ``values[codes[i]]``, as written before neutralising), the rows of odd shape, and the rows as lists
    (``rows_at``) for frictionless, built only for the rows it reads."""

    header: list[str]
    texts: list[Encoded]
    odd: Mask
    lists: list[list[str]] | None = None  # the rows as given (validate_table_rows): frictionless reads them
    _neutral: list[Encoded] | None = field(default=None, repr=False)
    #: the doubles each column's texts were written from, where they were (their tests read them)
    numbers: list[TextNumbers | None] | None = field(default=None, repr=False)
    _cells: list[Encoded] | None = field(default=None, repr=False)
    #: the distinct strings (None kept) of the frame's text columns, by field name, as the texts were built from
    #: them (:func:`_numbered_texts`): the GeoJSON product of the same frame takes them (:class:`ValidatedTexts`)
    distinct: dict[str, Distinct] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.odd)

    def rows_at(self, at: Any) -> list[list[str]]:
        if self.lists is not None:
            return self.lists[at] if isinstance(at, slice) else [self.lists[i] for i in at]
        return _rows_of(self.texts, self.n, at)

    def neutral_rows_at(self, at: Any) -> list[list[Any]]:
        """:meth:`rows_at` as the CSV writer writes them (neutralised)."""
        if self.lists is not None or not self.texts:
            return [neutralise_csv_row(r) for r in self.rows_at(at)]
        return _rows_of(self.columns(), self.n, at)

    def columns(self) -> list[Encoded]:
        """The columns as the CSV writer writes them (neutralised), each distinct text once."""
        if self._neutral is None:  # (the text of a finite number, or "", is its own neutralisation)
            numbers = self.numbers or [None] * len(self.texts)
            self._neutral = [
                (c, v if known is not None else _neutralised(v))
                for (c, v), known in zip(self.texts, numbers, strict=True)
            ]
        return self._neutral

    def cells(self) -> list[Encoded]:
        """The columns' CSV cells as the writer writes them (neutralised, quoted), each distinct text once."""
        if self._cells is None:
            self._cells = [(codes, quoted_cells(values)) for codes, values in self.columns()]
        return self._cells

    def csv_bytes(self, stop: int) -> bytes | None:
        """The UTF-8 CSV the writer writes of the header and the first ``stop`` rows (neutralised, ``\\n``
        ended), made by Arrow from :meth:`cells` (the CSV product's own lines); None for rows given as lists,
        which the writer itself writes (:meth:`neutral_rows_at`), and for a table of one column (the writer
        quotes a row of one empty cell: ``""``)."""
        if self.lists is not None or len(self.texts) < 2:
            return None
        stop = min(stop, self.n)
        head = csv_header(self.header)
        if not stop:
            return head
        lines = csv_join([cells.take(pa.array(codes[:stop])) for codes, cells in self.cells()], stop)
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + stop + 1]
        data = lines.buffers()[2]
        return head + (data.to_pybytes()[int(offsets[0]) : int(offsets[-1])] if data is not None else b"")

    def first_lines(self) -> list[str]:
        """:func:`_first_lines` of the table (its first :data:`SNIFF_LINES` rows), by :meth:`csv_bytes` when it
        can make them."""
        text = self.csv_bytes(SNIFF_LINES)
        if text is None:
            return _first_lines(self.header, self.neutral_rows_at(slice(0, SNIFF_LINES)))
        return _split_lines(text.decode("utf-8"))

    def without(self, keep: Mask) -> _Table:
        """The table with only the ``keep`` rows (their texts are not built again)."""
        neutral = None if self._neutral is None else [(c[keep], v) for c, v in self._neutral]
        lists = None if self.lists is None else [self.lists[i] for i in np.flatnonzero(keep).tolist()]
        texts = [(c[keep], v) for c, v in self.texts]
        return _Table(self.header, texts, self.odd[keep], lists, neutral, numbers=self.numbers)


def _rows_of(columns: list[Encoded], n: int, at: Any) -> list[list[str]]:
    """The ``at`` rows (a slice or indexes) of dictionary-encoded columns, as lists of their texts: each column's
    texts taken by Arrow and made Python strings by numpy at once (``to_pylist`` boxed a scalar per cell)."""
    if not columns:
        return []
    idx = np.arange(n)[at]
    cells = [v.take(pa.array(c[idx])).to_numpy(zero_copy_only=False).tolist() for c, v in columns]
    return [list(r) for r in zip(*cells, strict=True)]


@dataclass
class TableCheck:
    """What one validation of a table found (``errors``, those of frictionless on the whole table), kept so that
    the same table with rows left out (``--drop-invalid``) is validated again without building its text again nor
    judging again what leaving rows out cannot change: :meth:`without`."""

    errors: Errors
    table: _Table
    descriptor: dict[str, Any]
    #: the compiled checker's verdicts on the rows alone (:meth:`.CompiledTable.rows`), when the fast path ran
    flags: Mask | None = None
    #: the layer's plan for this chunk (:meth:`TableLayer.plan`); None: the table's own (by its size)
    plan: tuple[bool, int, int] | None = None

    def without(self, keep: Mask) -> TableCheck:
        """The validation of the table with only the ``keep`` rows: what :func:`validate_table_frame` gives on it.

        A row's own findings (a type, a format, a constraint broken) do not depend on the other rows: the compiled
        checker's verdicts on the kept rows stand, and frictionless reads again only the rows they flag, those whose
        ``unique`` value is still repeated (the one cross-row rule a left-out row can change), and the first
        :data:`SNIFF_LINES` rows (the dialect it guesses is found again too). The rows the fast path's sample
        judged already were judged on the same text; a row it wrongly passes among those read sends the table to
        frictionless whole, as in :func:`validate_table_frame`. When the fast path did not run (a small table, a
        schema the compiler does not know...), the table is validated as :func:`validate_table_frame` would.
        """
        keep = np.asarray(keep, dtype=bool)
        flags = None if self.flags is None else self.flags[keep]
        table = self.table.without(keep)
        # judged: the fast path ran (frictionless found nothing wrong with the table itself) and, for a table of
        # its own, the first lines it guesses the dialect from are the same rows (new rows coming there are read
        # by it); a layer's chunk was sampled with the layer (TableLayer): its unflagged rows are not read again
        judged = flags is not None and (self.plan is not None or bool(keep[:SNIFF_LINES].all()))
        return _check_table(table, self.descriptor, flags, self.plan, judged)


def prepare_validation(profile: Any) -> None:
    """Import now what validating ``profile``'s products will need, for a process that has time to spare before
    its first chunk (the pass's forked child while the run reads, conforms and checks that chunk): frictionless
    for a CSV product (0.5-0.7 s: its import, its plugins, and the first Table Schema it reads: jsonschema's import
    and frictionless' own metadata profiles, 0.1 s, paid here on a one-field schema). Nothing is validated; the
    findings are the same."""
    if "csv" in getattr(profile, "product_formats", ()):
        with contextlib.suppress(ImportError):  # the validation says so itself, when it runs (table_errors)
            products.ready_frictionless()
            from frictionless import Schema

            Schema.from_descriptor({"fields": [{"name": "x", "type": "string"}]})


@runtime_checkable
class ValidatesOnce(Protocol):
    """A profile whose validation of its one table is kept, so that after rows are left out (``--drop-invalid``)
    only what leaving them out can change is validated again (:meth:`TableCheck.without`; for features, the
    compiled checker's verdicts: :meth:`FeatureCheck.kept`)."""

    def validate_table(
        self, dataset: ThemeDataset, report: Report, earlier: Any = None, keep: Mask | None = None
    ) -> TableCheck | FeatureCheck | None:
        """``validate`` (its findings added to ``report``), returning what it found; with ``earlier``, its
        validation of the dataset before only the ``keep`` rows of its table were kept."""


def kept_rows_check(earlier: TableCheck | None, keep: Mask | None, frame: pd.DataFrame) -> TableCheck | None:
    """``earlier.without(keep)`` when ``frame`` is that table's ``keep`` rows (by their count), else None: the
    caller then validates ``frame`` from the start."""
    if earlier is None or keep is None:
        return None
    keep = np.asarray(keep, dtype=bool)
    if len(keep) != earlier.table.n or int(keep.sum()) != len(frame):
        return None
    return earlier.without(keep)


class ValidatedTexts:
    """The CSV text of ``frame``'s table as its validation built it (``check.table``: each column's texts,
    dictionary-encoded and neutralised as the CSV writer writes them), for the CSV product of the same frame
    (:data:`.product_sinks.VALIDATED_TEXTS`): its cells are these texts quoted (once per distinct text), taken
    for the rows of each batch, instead of the column's text being built again from the frame (PEI: half the
    product's time). The texts are the product's own: validation builds them as :func:`.product_sinks.csv_texts`
    does (``tests/unit/test_validated_texts.py``: the product's bytes with and without them)."""

    def __init__(self, frame: pd.DataFrame, check: TableCheck) -> None:
        self.frame, self.table = frame, check.table

    def csv_cells(self, header: list[str], start: int, stop: int) -> list[pa.Array] | None:
        table = self.table
        if header != table.header or table.lists is not None or table.n != len(self.frame) or table.odd.any():
            return None
        return [cells.take(pa.array(codes[start:stop])) for codes, cells in table.cells()]

    def distinct(self, name: str, start: int, stop: int) -> Distinct | None:
        table = self.table
        found = table.distinct.get(name)
        if found is None or table.lists is not None or table.n != len(self.frame):
            return None
        return found.rows(start, stop)


def keep_texts(notes: dict[str, object], frame: pd.DataFrame, check: TableCheck) -> None:
    """Give a streamed chunk's CSV product the text its validation of ``frame`` built (:class:`ValidatedTexts`);
    a chunk validated again after rows were left out gives the text of the rows kept."""
    notes[VALIDATED_TEXTS] = ValidatedTexts(frame, check)


def _columns(rows: list[list[str]], width: int) -> tuple[list[pa.Array], Mask]:
    """The table's columns as Arrow strings, neutralised as the CSV writer writes them, and the rows whose shape
    alone (cells that are not text, a wrong number of cells) sends them to the official validator."""
    texts, odd = _row_texts(rows, width)
    return [_neutralised(v) for _, v in texts], odd


def _row_texts(rows: list[list[str]], width: int) -> tuple[list[Encoded], Mask]:
    n = len(rows)
    odd = np.fromiter(map(len, rows), dtype=np.int64, count=n) != width
    if odd.any():
        rows = [r if len(r) == width else [""] * width for r in rows]
    columns = []
    every = np.arange(n)
    for values in zip(*rows, strict=True) if n else [() for _ in range(width)]:
        try:
            arr = pa.array(values, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())
            odd |= as_mask(pc.is_null(arr))  # not text: the writer's str() decides, frictionless judges
            arr = pc.fill_null(arr, "")
        columns.append((every, arr))
    return columns, odd


_FIRST = pa.array(list("\t\r \n=+-@\uff1d\uff0b\uff0d\uff20"))


def _neutralised(arr: pa.Array) -> pa.Array:
    """The cells as :func:`odl_geo.csvsafe.neutralise_csv_row` writes them (only cells that may start a formula
    are passed to it: few)."""
    risky = as_mask(pc.is_in(pc.utf8_slice_codeunits(arr, 0, 1), value_set=_FIRST))
    if not risky.any():
        return arr
    values = arr.to_numpy(zero_copy_only=False).copy()
    idx = np.flatnonzero(risky)
    values[idx] = [neutralise_csv_cell(v) for v in values[idx]]
    return pa.array(values, type=pa.string())


def validate_table_rows(header: list[str], rows: Iterable[list[str]], descriptor: dict[str, Any]) -> Errors:
    """The findings of :func:`.products.validate_rows` (``frictionless`` on the CSV as written), computed with the
    compiled checker on every row and ``frictionless`` on the flagged rows and a sample (see the module's doc)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if len(rows) <= SMALL_LAYER:
        return products.validate_rows(header, rows, descriptor)
    return check_table_rows(header, rows, descriptor).errors


def check_table_rows(header: list[str], rows: list[list[str]], descriptor: dict[str, Any]) -> TableCheck:
    """:func:`validate_table_rows`, its findings kept with what :meth:`TableCheck.without` needs."""
    texts, odd = _row_texts(rows, len(header))
    return _check_table(_Table(header, texts, odd, rows), descriptor)


def validate_table_frame(
    frame: pd.DataFrame,
    fields: list[TargetField],
    descriptor: dict[str, Any],
    extra: dict[str, np.ndarray] | None = None,
    true_false: tuple[str, str] = ("true", "false"),
) -> Errors:
    """:func:`validate_table_rows` of a CSV product made of ``fields`` then the ``extra`` columns (coordinates),
    its texts built a column at a time as the product's writer builds them (:func:`.product_sinks.csv_texts`,
    ``repr`` of the coordinates): no Python list per row but for the rows frictionless reads."""
    return check_table_frame(frame, fields, descriptor, extra, true_false).errors


def check_table_frame(
    frame: pd.DataFrame,
    fields: list[TargetField],
    descriptor: dict[str, Any],
    extra: dict[str, np.ndarray] | None = None,
    true_false: tuple[str, str] = ("true", "false"),
    layer: TableLayer | None = None,
) -> TableCheck:
    """:func:`validate_table_frame`, its findings kept with what :meth:`TableCheck.without` needs.

    :param layer: ``frame`` is a chunk of a layer validated chunk by chunk (:class:`TableLayer`)."""
    extra = extra or {}
    names = [f.name for f in fields]
    header = names + [n for n in extra if n not in names]
    distinct: dict[str, Distinct] = {}
    built = [_numbered_float_texts(extra[f.name]) if f.name in extra
             else _numbered_texts(frame[f.name], f.kind, true_false, distinct)
             for f in fields] + [_numbered_float_texts(v) for n, v in extra.items() if n not in names]  # fmt: skip
    plan = layer.plan(len(frame)) if layer is not None else None
    table = _Table(header, [t for t, _ in built], np.zeros(len(frame), dtype=bool), numbers=[m for _, m in built],
                   distinct=distinct)  # fmt: skip
    checked = _check_table(table, descriptor, plan=plan, judged=layer is not None and layer.judged)
    if layer is not None and checked.flags is not None:
        layer.judged = True  # the fast path ran: frictionless read this header and schema and found them right
    return checked


@dataclass
class TableLayer:
    """How the chunks of one layer validated chunk by chunk (a streamed ``convert --theme``) are validated: the
    rules of this module are the layer's, not the chunk's. A layer of at most :data:`SMALL_LAYER` rows (as its
    source declares it) goes to frictionless on every row however it is cut, a larger one on the fast path
    however small its chunks; frictionless reads the flagged rows, the layer's first :data:`PREFIX_ROWS` rows
    and :data:`SAMPLE_ROWS` rows drawn over the whole layer, each chunk its share (it was that many per chunk:
    five times as many rows as it flags in a chunk of 20 000), plus each chunk's first :data:`SNIFF_LINES`, the
    lines it guesses the CSV dialect from. A compiled checker's miss among the rows it reads still sends the
    chunk to frictionless whole. Once it has read a chunk on the fast path, a later chunk none of whose rows the
    checker flags is not given to it (its sample share is left out: a layer fixed by ``--fix`` is read by
    frictionless once, in its first rows, not once per chunk).

    :param rows: the layer's feature count as its source declares it; None (or negative): unknown, and each
        chunk is then validated as a table of its own.
    """

    rows: int | None
    seen: int = 0  # rows of the chunks validated so far
    #: frictionless has read a chunk on the fast path and found nothing wrong with the table itself: a chunk
    #: none of whose rows the compiled checker flags need not be given to it again (:func:`_check_table`)
    judged: bool = False

    def plan(self, n: int) -> tuple[bool, int, int]:
        """(frictionless on every row, first rows, sample) for the next chunk, of ``n`` rows."""
        start = self.seen
        self.seen += n
        if self.rows is None or self.rows < 0:
            return n <= SMALL_LAYER, max(PREFIX_ROWS, SNIFF_LINES), SAMPLE_ROWS
        total = max(self.rows, self.seen)  # a source that declared fewer features than it gave
        if total <= SMALL_LAYER:
            return True, 0, 0
        return False, max(SNIFF_LINES, PREFIX_ROWS - start), math.ceil(SAMPLE_ROWS * n / total)


#: ``ThemeDataset.notes[role]`` key of a streamed layer's :class:`TableLayer`, and of the layer's feature count
#: in the profile's per-layer ``state``
TABLE_LAYER = "validation.table_layer"
LAYER_FEATURES = "layer.features"


def table_layer(notes: dict[str, object], state: dict[str, Any] | None) -> None:
    """Give a conformed chunk its layer's :class:`TableLayer` (``state``: the profile's per-layer state of a
    streamed run; None, a whole layer: nothing to give)."""
    if state is not None:
        notes[TABLE_LAYER] = state.setdefault(TABLE_LAYER, TableLayer(state.get(LAYER_FEATURES)))


def keep_rounded_lines(notes: dict[str, object], frame: pd.DataFrame, rounded: np.ndarray | None) -> None:
    """Give a streamed chunk's GeoJSON product the lines its validation of ``frame`` rounded (one per feature,
    None where it rounded none: :data:`.product_sinks.ROUNDED_LINES`), instead of rounding them again."""
    if rounded is not None and len(rounded) == len(frame):
        notes[ROUNDED_LINES] = (frame, rounded)
    else:
        notes.pop(ROUNDED_LINES, None)


def keep_layer_state(dataset: ThemeDataset, kept: dict[tuple[str, str], object]) -> None:
    """Give a streamed chunk the validation state its layer had after the chunks validated before it, in this
    process: the first :class:`TableLayer` / :class:`LayerSample` of each note seen is kept in ``kept`` and put
    back in every later chunk's notes in place of the one it came with.

    In one process every chunk's notes hold the layer's very object (the profile's ``state``). A chunk that
    crossed a pipe (the pass's forked child, :mod:`odl_geo.theme.pass_child`) holds a copy of the run's object,
    which the run never advances (it does not validate): without this, each chunk was validated as the layer's
    first (frictionless on a file of its first 500 rows, once per chunk instead of once per layer; jsonschema's
    first features and sample share again; the feature schema compiled again). With it, the forked child
    validates the rows one process validates."""
    for role, notes in dataset.notes.items():
        if not isinstance(notes, dict):
            continue
        for key, value in list(notes.items()):
            if isinstance(value, (TableLayer, LayerSample)):
                notes[key] = kept.setdefault((role, key), value)


def streamed_layer(dataset: ThemeDataset, role: str = "main") -> TableLayer | None:
    """The :class:`TableLayer` of a streamed chunk's ``role`` (:func:`table_layer`); None for a whole layer."""
    layer = dataset.notes.get(role, {}).get(TABLE_LAYER)
    return layer if isinstance(layer, TableLayer) else None


def validated(dataset: ThemeDataset, frame: pd.DataFrame, check: TableCheck, role: str = "main") -> TableCheck:
    """``check``, the validation of ``frame``; a streamed chunk's CSV product gets its text (:func:`keep_texts`:
    the chunk is written next, and dropped)."""
    if streamed_layer(dataset, role) is not None:
        keep_texts(dataset.notes[role], frame, check)
    return check


def _texts(series: pd.Series, kind: str, true_false: tuple[str, str]) -> Encoded:
    """:func:`.product_sinks.csv_texts` of a column (the product's text of each cell), dictionary-encoded
    (:func:`_numbered_texts` without the numbers)."""
    return _numbered_texts(series, kind, true_false)[0]


def _float_numbers(floats: np.ndarray, kind: str) -> TextNumbers:
    """The :data:`Numbers` of :func:`.product_text.float_csv_texts` of ``floats``: "" for a NaN or an infinity."""
    return np.where(np.isfinite(floats), floats, np.nan), kind in ("number", "integer")


def _numbered_texts(
    series: pd.Series, kind: str, true_false: tuple[str, str], found: dict[str, Distinct] | None = None
) -> tuple[Encoded, TextNumbers | None]:
    """:func:`.product_sinks.csv_texts` of a column (the product's text of each cell), dictionary-encoded, and
    the doubles its texts were written from when they were (:data:`.compiled_table.Numbers`).

    Three kinds of columns are common and costly there: text, whose CSV text is the text itself (``csv_text`` of
    a ``str`` is ``str(v)``, None is ""), its distinct strings found by a dict (:func:`.product_text.text_column`:
    a str keeps its hash, a column of few values is not encoded row by row); floats, whose texts are made by numpy
    and Arrow (:func:`.product_text.float_csv_texts`, what ``csv_texts`` makes of floats, no Python string a
    value), once per distinct value when they repeat (same bits: ``0.0`` and ``-0.0`` stay apart); and object
    columns holding only floats and None (measures read as objects), the same way, None being "".

    :param found: where to keep a text column's distinct strings (None kept), under the series' name."""
    values = series.to_numpy(dtype=object) if series.dtype == object else None
    if values is not None and kind != "boolean":
        strings = pd.api.types.infer_dtype(values, skipna=True)
        if strings in ("string", "empty") and (distinct := text_column(series, strings)) is not None:
            # strings and None: each distinct string found by a dict (a str keeps its hash), None is ""
            if found is not None:  # (kept for the GeoJSON product of the same frame)
                found[str(series.name)] = distinct
            texts = distinct.values.fill_null("") if distinct.values.null_count else distinct.values
            codes = np.arange(len(values), dtype=np.int32) if distinct.codes is None else distinct.codes
            return (codes, texts), None
        none = np.equal(values, None)  # type: ignore[call-overload]
        found = pd.api.types.infer_dtype(values[~none], skipna=False)
        if found == "string":
            encoded = pc.dictionary_encode(pc.fill_null(pa.array(values, type=pa.string()), ""))
            return (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32), encoded.dictionary), None
        if found == "floating":  # csv_texts: np.asarray(some, dtype=float), then its float texts; None is ""
            floats = np.asarray(values[~none], dtype=float)
            texts = float_csv_texts(floats, kind)
            codes = np.full(len(values), len(texts), dtype=np.int32)
            codes[~none] = np.arange(len(texts), dtype=np.int32)
            numbers, whole = _float_numbers(floats, kind)
            return (codes, pa.concat_arrays([texts, pa.array([""], type=pa.string())])), (
                np.append(numbers, np.nan),
                whole,
            )
    elif series.dtype == np.float64 and kind != "boolean":
        every = series.to_numpy()
        if len(every) > 1:
            bits = every.view(np.int64)
            head = bits[:1024]
            if len(np.unique(head)) <= len(head) // 2:  # (coordinates hardly repeat: not sorted for nothing)
                distinct, codes = np.unique(bits, return_inverse=True)
                if len(distinct) <= len(every) // 2:
                    floats = distinct.view(np.float64)
                    return (codes.astype(np.int32), float_csv_texts(floats, kind)), _float_numbers(floats, kind)
        return (np.arange(len(every), dtype=np.int32), float_csv_texts(every, kind)), _float_numbers(every, kind)
    codes, texts = csv_texts(series, kind, true_false)
    return (np.asarray(codes, dtype=np.int32), pa.array(texts, type=pa.string())), None


def _float_texts(values: np.ndarray) -> Encoded:
    """``repr(float(v))``, ``""`` for NaN: the coordinates' text in the CSV products (made by numpy and Arrow,
    :func:`.product_numbers.reprs`, not a ``repr`` call per value)."""
    return _numbered_float_texts(values)[0]


def _numbered_float_texts(values: np.ndarray) -> tuple[Encoded, TextNumbers | None]:
    """:func:`_float_texts` and the doubles they were written from (none when one is infinite: ``inf``)."""
    encoded = _float_texts_of(values)
    floats = np.asarray(values, dtype=float)
    return encoded, (None if np.isinf(floats).any() else (floats, False))


def _float_texts_of(values: np.ndarray) -> Encoded:
    floats = np.asarray(values, dtype=float)
    texts = reprs(floats)
    nan = np.isnan(floats)
    if nan.any():
        texts = pc.if_else(pa.array(~nan), texts, "")
    return np.arange(len(texts), dtype=np.int32), texts


def _check_table(
    table: _Table,
    descriptor: dict[str, Any],
    flags: Mask | None = None,
    plan: tuple[bool, int, int] | None = None,
    judged: bool = False,
) -> TableCheck:
    """The fast path, or frictionless on every row when it cannot be taken. ``flags``: the compiled checker's
    verdicts on the rows alone, when known from an earlier validation of a table these rows were part of
    (:meth:`TableCheck.without`). ``plan``: frictionless
    on every row, first rows and sample, as the layer decides (:class:`TableLayer`); by default the table's own.

    ``judged``: frictionless has read a table of this header and schema on the fast path already (an earlier
    chunk of the layer, or this table before rows were left out) and found nothing wrong with the table itself
    (header, metadata). A table none of whose rows the compiled checker flags, holding none of the layer's first
    rows, then is not given to frictionless at all: it would read only rows the checker passed (the dialect's
    first lines, a sample) and find nothing (a chunk of 20,000 rows cost it 40-80 ms of CPU); the dialect it
    would guess from those first lines is still found as it finds it, and sends the table to it whole when it is
    not the writer's. (Its encoding is not guessed: frictionless is told the product's, UTF-8.)"""
    header, n = table.header, table.n
    layer_plan, plan = plan, plan or (n <= SMALL_LAYER, max(PREFIX_ROWS, SNIFF_LINES), SAMPLE_ROWS)

    def whole() -> TableCheck:
        errors = products.validate_rows(header, table.rows_at(slice(None)), descriptor)
        return TableCheck(errors, table, descriptor, plan=layer_plan)

    if plan[0]:
        return whole()
    schema = {k: v for k, v in descriptor.items() if k != "$schema"}
    try:
        check = compile_table_schema(schema, header)
    except Unsupported as exc:
        log.info("frictionless on every row: %s", exc)
        return whole()
    columns = table.columns()
    if flags is None:  # (rows kept from a table that passed this test pass it)
        risky = parse_risks(columns, table.numbers)  # (NUL, CR, LF: a CR or a NUL splits rows)
        if any(
            r.any() and pc.any(pc.match_substring_regex(v.filter(pa.array(r)), _SPLITS_ROWS)).as_py()
            for r, (_, v) in zip(risky, columns, strict=True)
        ) or (columns and pc.any(pc.starts_with(columns[0][1], SKIP)).as_py()):  # would read as a placeholder
            log.info("frictionless on every row: a cell holds a carriage return, or begins as a placeholder line")
            return whole()
        flags = check.rows(columns, table.numbers, risky) | table.odd
        prefix, sample = max(plan[1], SNIFF_LINES), plan[2]
    else:  # the kept rows were judged (flagged or sampled) with the whole table: the dialect's lines only
        prefix, sample = SNIFF_LINES, 0
    flagged = flags | check.repeated(columns)
    if judged and prefix <= SNIFF_LINES and not flagged.any():  # nothing for frictionless to judge (see above)
        if not _plain_lines(table.first_lines()):
            log.info("frictionless on every row: it would not read the table with the writer's CSV dialect")
            return whole()
        return TableCheck([], table, descriptor, flags, layer_plan)
    keep = _selection(n, flagged, prefix, sample)
    if judged and layer_plan is not None and not table.odd[:SNIFF_LINES].any():
        # a chunk of a layer whose header and schema frictionless has read: its rows' verdicts without the file
        if not _plain_lines(table.first_lines()):
            log.info("frictionless on every row: it would not read the table with the writer's CSV dialect")
            return whole()
        errors, settled = _frictionless_rows(keep, table.neutral_rows_at(keep), json.dumps(descriptor)), True
    else:
        errors, settled = _frictionless_on(header, n, keep, table.neutral_rows_at(keep), descriptor)
    missed = _compiler_missed(errors, flagged)
    if not settled or missed:
        if missed:
            log.warning(
                "The compiled Table Schema checker passed rows frictionless rejects (e.g. row %s): every row is "
                "validated by frictionless.",
                missed[0],
            )
        return whole()
    return TableCheck(errors, table, descriptor, flags, layer_plan)


def _frictionless_on(
    header: list[str], n: int, keep: np.ndarray, kept_rows: list[list[Any]], descriptor: dict[str, Any]
) -> tuple[Errors, bool]:
    """``frictionless`` on the kept rows (neutralised, as the CSV writer writes them), each at its own row number.
    ``settled`` is False when its reading of the file (encoding, CSV dialect, table-level errors) may differ from
    its reading of the whole table."""
    from frictionless import Dialect

    with tempfile.TemporaryDirectory(prefix="odl-geo-validate-") as tmp:
        path = Path(tmp) / "table.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(neutralise_csv_row(header))
            done = 0
            for i, row in zip(keep.tolist(), kept_rows, strict=True):
                fh.write((SKIP + "\n") * (i - done))  # the rows left out, as comment lines
                writer.writerow(row)
                done = i + 1
            # (no placeholders after the last row read: they would change no row number)
        dialect_ok = _plain_csv(path)
        errors, _ = products.table_errors(path, descriptor, Dialect(comment_char=SKIP), encoding="utf-8")
    settled = dialect_ok and all(f is not None for f, *_ in errors)
    return errors, settled


def _frictionless_rows(keep: np.ndarray, kept_rows: list[list[Any]], descriptor: str) -> Errors:
    """What :func:`_frictionless_on` finds in the kept rows' cells, judged by frictionless' own row machinery
    without a file: each row a ``frictionless.table.row.Row`` numbered as in the file (the header is row 1),
    read by the schema's cell handlers, and the ``unique`` rule of its row stream (``resources/table.py``) over
    the rows read, in order, the findings as :func:`.products.table_errors` gives them.

    Only for a table whose header, schema, encoding and CSV dialect frictionless has read already without a
    table-level finding (``judged`` in :func:`_check_table`): reading the file then gives its parser these very
    cells (the writer's dialect, no carriage return nor NUL in a cell, its field size limit is 2 GB). What this
    saves is its cost per call (the schema's metadata validated again, the resource opened: ~25 ms) and per
    placeholder line of the rows left out (~1 µs each, 20 ms for a chunk of 20 000 rows), not its judgement."""
    from frictionless import errors as found
    from frictionless.table.row import Row

    handlers, unique = _row_handlers(descriptor)
    memory: dict[str, dict[Any, int]] = {name: {} for name in unique}
    out: Errors = []
    for i, cells in zip(keep.tolist(), kept_rows, strict=True):
        row = Row(cells, handlers=handlers, row_number=i + 2)
        for name, seen in memory.items():  # as its row stream judges ``unique``
            cell = row[name]
            if cell is not None:
                match = seen.get(cell)
                seen[cell] = row.row_number
                if match:
                    note = f"the same as in the row at position {match}"
                    row.errors.append(found.UniqueError.from_row(row, note=note, field_name=name))
        out.extend(
            (row.row_number - 2, getattr(e, "field_name", "") or "(table)", e.type, e.message) for e in row.errors
        )
        if len(out) >= _LIMIT_ERRORS:  # as products.table_errors' validation stops
            return out[:_LIMIT_ERRORS]
    return out


_LIMIT_ERRORS = 100_000  # products.table_errors: resource.validate(limit_errors=100_000)


@functools.lru_cache(maxsize=4)
def _row_handlers(descriptor: str) -> tuple[dict[str, Any], list[str]]:
    """frictionless' cell handlers of a schema (``descriptor``: its JSON text) whose fields are the header, in
    order, and its ``unique`` fields: built once per schema (a handful of schemas per process)."""
    products.ready_frictionless()
    from frictionless import Schema
    from frictionless.table.row import create_cell_handlers

    schema = Schema.from_descriptor({k: v for k, v in json.loads(descriptor).items() if k != "$schema"})
    return create_cell_handlers(schema.fields), [f.name for f in schema.fields if f.constraints.get("unique")]


def _plain_csv(path: Path) -> bool:
    """True when frictionless' sniffing of the first 100 lines (as ``formats/csv/parser.py`` does it) gives the
    dialect the writer used, so that it reads the cells the compiled checker tested."""
    with path.open(encoding="utf-8", newline="") as fh:
        return _plain_lines([line for _, line in zip(range(100), fh, strict=False)])


def _first_lines(header: list[str], rows: list[list[Any]]) -> list[str]:
    """The first 100 lines of the CSV of ``header`` and ``rows`` (neutralised) as :func:`_frictionless_on` writes
    them, split as a file read with ``newline=""`` splits them."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(neutralise_csv_row(header))
    writer.writerows(rows)
    return _split_lines(buf.getvalue())


def _split_lines(text: str) -> list[str]:
    """The first 100 lines of a CSV text, split as a file read with ``newline=""`` splits them."""
    return [line for _, line in zip(range(100), io.StringIO(text, newline=""), strict=False)]


def _plain_lines(sample: list[str]) -> bool:
    """:func:`_plain_csv` of a file's first 100 lines."""
    try:
        sniffed = csv.Sniffer().sniff("".join(sample), ",\t;|")
    except csv.Error:
        return True  # frictionless falls back to csv.excel: the writer's dialect
    quote = '"' if sniffed.quotechar == "'" else sniffed.quotechar
    return (
        sniffed.delimiter == "," and quote == '"' and not sniffed.skipinitialspace and sniffed.escapechar in (None, "")
    )  # frictionless takes neither doublequote nor lineterminator (for reading) from the sniffer


# -- JSON Schema (jsonschema), the features of a FeatureCollection -------------------------------------------


def validate_feature_collection(doc: dict[str, Any], schema: dict[str, Any]) -> Errors:
    """The findings of :func:`.products.validate_json_schema` on ``doc``, computed with the compiled checker on
    every feature and ``jsonschema`` on the flagged features and a sample (see the module's doc)."""
    features = doc.get("features")
    if not isinstance(features, list) or len(features) <= SMALL_LAYER:
        return products.validate_json_schema(doc, schema)

    def whole() -> Errors:
        return products.validate_json_schema(doc, schema)

    return _validate_features(
        len(features), lambda check: check(features), lambda at: [features[i] for i in at], doc, schema, whole
    )[0]


def validate_feature_frame(
    frame: gpd.GeoDataFrame,
    fields: list[TargetField],
    schema: dict[str, Any],
    layer: LayerSample | None = None,
    again: bool = False,
) -> Errors:
    """:func:`validate_feature_collection` of ``products.feature_collection(frame, fields)``, without building it:
    the compiled checker reads the properties as columns and the LineStrings' coordinates as arrays
    (:func:`_geometry_columns`), jsonschema the exact features it judges.

    :param layer: ``frame`` is a chunk of a layer validated chunk by chunk: the layer's size decides between
        jsonschema on every feature and the fast path, and the sample is the layer's (:class:`LayerSample`).
    :param again: the chunk was validated before and has lost features since (``--drop-invalid``).
    """
    return check_feature_frame(frame, fields, schema, layer, again).errors


@dataclass
class FeatureCheck:
    """What one validation of a chunk's features found: jsonschema's findings, and the compiled checker's verdicts
    on each feature (``flags``) when the fast path ran, so that the chunk validated again after features were
    left out (``--drop-invalid``) is not judged again by the checker: :meth:`kept`."""

    errors: Errors
    flags: Mask | None = None
    #: each feature's LineString rounded to the grid (``set_precision``) where the checker rounded it, else None
    #: (an object array, one per feature): the GeoJSON product takes them (:data:`.product_sinks.ROUNDED_LINES`)
    rounded: np.ndarray | None = field(default=None, repr=False)

    def kept(self, keep: Mask | None, n: int) -> Mask | None:
        """The verdicts on the ``keep`` features, when they stand for a frame of ``n`` features: the checker
        judges each feature alone (its properties and geometry), so leaving others out changes none of them."""
        if self.flags is None or keep is None:
            return None
        keep = np.asarray(keep, dtype=bool)
        if len(keep) != len(self.flags) or int(keep.sum()) != n:
            return None
        return self.flags[keep]


def check_feature_frame(
    frame: gpd.GeoDataFrame,
    fields: list[TargetField],
    schema: dict[str, Any],
    layer: LayerSample | None = None,
    again: bool = False,
    flags: Mask | None = None,
) -> FeatureCheck:
    """:func:`validate_feature_frame`, the compiled checker's verdicts kept (:class:`FeatureCheck`).

    :param flags: the checker's verdicts on these very features, known from the chunk's first validation
        (:meth:`FeatureCheck.kept`): jsonschema judges the flagged ones (and the plan's sample) as before, the
        columns and coordinates the checker reads are not built again (two thirds of a chunk's validation)."""
    whole_layer, prefix, sample = (
        layer.plan(len(frame), again) if layer is not None else (len(frame) <= SMALL_LAYER, None, None)
    )
    if whole_layer:
        return FeatureCheck(products.validate_json_schema(products.feature_collection(frame, fields), schema))

    geoms = np.asarray(frame.geometry.values, dtype=object)
    names = [f.name for f in fields]
    columns: dict[str, list[Any]] = {}
    plain: list[bool] = []
    lines: list[np.ndarray] = []

    def verdicts(check: Callable[[list[Any]], Mask]) -> Mask:
        if flags is not None and len(flags) == len(frame):
            return flags  # (exact() then builds the features it judges from the frame)
        n = len(frame)
        found, simple = _property_columns(frame, fields)
        columns.update(found)
        plain.append(simple)
        geometry, odd, rounded = _rounded_geometry_columns(geoms)
        lines.append(rounded)
        flagged = check(
            ObjectColumns(n, {"type": ["Feature"] * n, "properties": ObjectColumns(n, columns), "geometry": geometry})
        )
        if len(odd):  # other geometries: their mappings, as the exact features hold them
            some = {name: [values[i] for i in odd.tolist()] for name, values in columns.items()}
            k = len(odd)
            flagged[odd] = check(
                ObjectColumns(
                    k,
                    {
                        "type": ["Feature"] * k,
                        "properties": ObjectColumns(k, some),
                        "geometry": [geometry_mapping(g) for g in geoms[odd]],
                    },
                )
            )
        return flagged

    def exact(at: np.ndarray) -> list[dict[str, Any]]:
        if not len(at):  # (a chunk validated again with nothing flagged: no frame of no rows to build)
            return []
        if not (plain and plain[0]):  # values of other types: as products.feature_collection boxes them
            features: list[dict[str, Any]] = products.feature_collection(frame.iloc[at], fields)["features"]
            return features
        return [  # the same features, from the columns (a frame per call cost more than jsonschema on them)
            {
                "type": "Feature",
                "properties": {k: v for k in names if (v := columns[k][i]) is not MISSING},
                "geometry": geometry_mapping(geoms[i]),
            }
            for i in at.tolist()
        ]

    def whole() -> Errors:
        return products.validate_json_schema(products.feature_collection(frame, fields), schema)

    doc = {"type": "FeatureCollection", "features": None}
    check = layer.check(schema) if layer is not None else None
    errors, flagged = _validate_features(len(frame), verdicts, exact, doc, schema, whole, prefix, sample, check)
    return FeatureCheck(errors, flagged, lines[0] if lines else None)


def _property_columns(frame: gpd.GeoDataFrame, fields: list[TargetField]) -> tuple[dict[str, list[Any]], bool]:
    """Each field's values as :func:`.products.feature_collection` puts them in the properties (``json_value`` of
    the cells, None where ``notna`` is false), :data:`MISSING` where it leaves the property out (an empty optional
    enumeration); and whether they are all str, int, bool, float or None (then its features are built from these
    columns: ``to_dict`` boxes nothing else)."""
    from pandas import isna

    omit = {f.name for f in fields if f.enum is not None and not f.required}
    columns: dict[str, list[Any]] = {}
    simple = True
    for f in fields:
        column = frame[f.name]
        if column.dtype == np.float64:
            raw = column.to_numpy()
            cells = raw.astype(object)
            none = np.isnan(raw)  # what notna() calls missing
            null = ~np.isfinite(raw)  # and what json_value makes null: infinities too
            floats = True
        else:
            cells = column.to_numpy(dtype=object)
            none = null = isna(cells)
            floats = False
        if null.any():
            cells = cells.copy()  # (maybe the frame's own array)
            cells[null] = None
        values = cells.tolist()
        types = set() if floats else set(map(type, values))
        if types <= {float, type(None)} and float in types:  # json_value: infinities are null
            for i in np.flatnonzero(~np.isfinite(np.array(values, dtype=float)) & ~null).tolist():
                values[i] = None
        elif not types <= {str, int, bool, type(None)}:
            values = list(map(json_value, values))  # floats (inf is null in JSON), numpy scalars...
            simple = simple and types <= {str, int, bool, float, type(None)}
        if f.name in omit and none.any():  # left out of the properties when missing
            values = [MISSING if gone else v for v, gone in zip(values, none.tolist(), strict=True)]
        columns[f.name] = values
    return columns, simple


def _geometry_columns(geoms: np.ndarray) -> tuple[ObjectColumns, np.ndarray]:
    """:func:`_rounded_geometry_columns` without the rounded lines."""
    columns, odd, _ = _rounded_geometry_columns(geoms)
    return columns, odd


def _rounded_geometry_columns(geoms: np.ndarray) -> tuple[ObjectColumns, np.ndarray, np.ndarray]:
    """The geometries of :func:`.product_sinks.geometry_mapping` as the compiled checker reads them, and the rows
    it must read otherwise; and each row's line rounded (``set_precision``, None where it rounded none).

    LineStrings with finite coordinates, once rounded as it rounds them, are columns: ``type`` and ``coordinates``
    (:class:`.compiled_json.NumberArrays` over the coordinate arrays: no list per position). The other rows (no
    geometry, another type, an empty or non-finite line) are returned apart: their mappings are judged one by one
    (here they stand as lines without positions).
    """
    n = len(geoms)
    line = ~shapely.is_missing(geoms)
    line[line] = (shapely.get_type_id(geoms[line]) == 1) & ~shapely.is_empty(geoms[line])
    at = np.flatnonzero(line)
    with np.errstate(invalid="ignore"):  # NaN coordinates: the lines they spoil are read apart
        rounded = shapely.set_precision(geoms[at], 10**-PRECISION)
    every = np.full(n, None, dtype=object)
    every[at] = rounded
    good = (shapely.get_type_id(rounded) == 1) & ~shapely.is_empty(rounded)
    at, rounded = at[good], rounded[good]
    z = shapely.has_z(rounded)
    counts = shapely.get_num_coordinates(rounded)
    widths = np.where(z, 3, 2)
    sizes = counts * widths  # numbers of each line
    starts = np.cumsum(sizes) - sizes
    numbers = np.empty(int(sizes.sum()), dtype=np.float64)
    for flat in (False, True):
        which = z == flat
        if not which.any():
            continue
        values = shapely.get_coordinates(rounded[which], include_z=flat).ravel()
        part = sizes[which]
        local = np.arange(len(values)) - np.repeat(np.cumsum(part) - part, part)
        numbers[np.repeat(starts[which], part) + local] = values
    spoilt = np.zeros(len(at), dtype=bool)
    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        spoilt[np.searchsorted(np.cumsum(sizes), bad, side="right")] = True
    ok = np.zeros(n, dtype=bool)
    ok[at[~spoilt]] = True
    line_counts = np.zeros(n, dtype=np.int64)
    line_counts[at] = np.where(spoilt, 0, counts)
    kept = np.repeat(~spoilt, sizes)
    position_widths = np.repeat(widths[~spoilt], counts[~spoilt])
    line_ends = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(line_counts, out=line_ends[1:])
    position_ends = np.zeros(len(position_widths) + 1, dtype=np.int64)
    np.cumsum(position_widths, out=position_ends[1:])
    coordinates = NumberArrays(line_ends, NumberArrays(position_ends, Numbers(numbers[kept])))
    return ObjectColumns(n, {"type": ["LineString"] * n, "coordinates": coordinates}), np.flatnonzero(~ok), every


def _validate_features(
    n: int,
    flags: Callable[[Callable[[list[Any]], Mask]], Mask],
    exact: Callable[[np.ndarray], list[Any]],
    doc: dict[str, Any],
    schema: dict[str, Any],
    whole: Callable[[], Errors],
    prefix: int | None = None,
    sample: int | None = None,
    check: Callable[[list[Any]], Mask] | None = None,
) -> tuple[Errors, Mask | None]:
    """The fast path: the compiled checker's verdicts (``flags(check)``, features judged as jsonschema judges the
    exact ones), jsonschema on ``exact(indexes)`` in a collection like ``doc``: the flagged features, the first
    ``prefix`` and ``sample`` more (default :data:`PREFIX_FEATURES`, :data:`SAMPLE_FEATURES`); ``whole()`` is
    jsonschema on every feature. ``check``: the schema compiled already. Returns the findings and the checker's
    verdicts (None when jsonschema judged every feature)."""
    if check is None:
        try:
            check = compile_feature_schema(schema)
        except Unsupported as exc:
            log.info("jsonschema on every feature: %s", exc)
            return whole(), None
    flagged = flags(check)
    prefix = PREFIX_FEATURES if prefix is None else prefix
    sample = SAMPLE_FEATURES if sample is None else sample
    keep = _selection(n, flagged, prefix, sample)
    part = {**doc, "features": exact(keep)}
    errors = [
        (int(keep[f]) if f is not None else None, where, rule, message)
        for f, where, rule, message in products.validate_json_schema(part, schema)
    ]
    missed = _compiler_missed(errors, flagged)
    if missed:
        log.warning(
            "The compiled JSON Schema checker passed features jsonschema rejects (e.g. feature %s): every feature "
            "is validated by jsonschema.",
            missed[0],
        )
        return whole(), None
    return errors, flagged


@dataclass
class LayerSample:
    """How the features of a layer validated chunk by chunk (a streamed ``convert --theme``) are validated.

    The rules of this module are the layer's, not the chunk's: a layer of at most :data:`SMALL_LAYER` features
    (as its source declares it) is validated by jsonschema on every feature however it is cut, a larger one on the
    fast path however small its chunks (chunks sized by bytes hold a few thousand trails, each of which jsonschema
    validated, 2 ms a trail: most of a run). jsonschema reads the flagged features, the layer's first
    :data:`PREFIX_FEATURES` and :data:`SAMPLE_FEATURES` drawn over the whole layer, each chunk its share (it was
    that many per chunk of more than :data:`SMALL_LAYER`); a chunk validated again after features were left out
    (``--drop-invalid``) only its flagged features, its others having been judged already. The schema is compiled
    once for the layer.

    :param features: the layer's feature count as its source declares it; None (or negative): unknown, and each
        chunk is then validated as a layer of its own.
    """

    features: int | None
    seen: int = 0  # features of the chunks validated so far
    compiled: tuple[dict[str, Any], Callable[[list[Any]], Mask]] | None = field(default=None, repr=False)

    def plan(self, n: int, again: bool = False) -> tuple[bool, int, int]:
        """(jsonschema on every feature, prefix, sample) for the next chunk of ``n`` features (``again``: the last
        chunk, validated again)."""
        start = self.seen - n if again else self.seen
        if not again:
            self.seen += n
        total = self.features if self.features is not None and self.features >= 0 else None
        if total is None:
            return n <= SMALL_LAYER, (0 if again else PREFIX_FEATURES), (0 if again else SAMPLE_FEATURES)
        total = max(total, self.seen)  # a source that declared fewer features than it gave
        if total <= SMALL_LAYER:
            return True, 0, 0
        if again:
            return False, 0, 0
        share = SAMPLE_FEATURES * (start + n) // total - SAMPLE_FEATURES * start // total  # the layer's sum: SAMPLE
        return False, max(0, PREFIX_FEATURES - start), share

    def check(self, schema: dict[str, Any]) -> Callable[[list[Any]], Mask] | None:
        """The schema compiled (once for the layer); None when it cannot be (:func:`_validate_features` says)."""
        if self.compiled is None or self.compiled[0] != schema:
            try:
                self.compiled = (schema, compile_feature_schema(schema))
            except Unsupported:
                return None
        return self.compiled[1]

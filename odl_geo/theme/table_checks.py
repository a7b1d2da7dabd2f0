"""A large table of a multi-layer theme (a CNIG PPR's zone tables) checked and fixed as its rows come.

The checks of a table take it :data:`~odl_geo.theme.run.CHECK_PIECE_ROWS` rows at a time (~25 MB of check arrays
a slice, where a 50,000-zone table checked whole took ~120 MB at once). :class:`TableChecks` is given the table's
rows in order, as one frame or as many pieces of any size (:meth:`TableChecks.add`), and checks each slice of
``rows`` rows as soon as it is complete, the last, shorter one at :meth:`TableChecks.finish`; so the slices, and
the rows the findings quote ("e.g. #2322"), are the same whatever the pieces given.

What a slice's checks need of the rows before (duplicates, identifiers used twice) is in a bounded carry (hashes,
spilled to a private folder past their memory share); the slices' findings are merged into one line per kind for
the whole table (:class:`~odl_geo.theme.merge.ChunkMerger`), rows named in the table's numbering. The overlap checks
(:data:`~odl_geo.theme.run.WHOLE_TABLE_CHECKS`) compare every zone with every other:

* ``overlaps="whole"`` (what a run holding the table does): they run once on the whole fixed table at the end;
  the fixed slices are kept and put together, and the result's frame is the fixed table;
* ``overlaps="on_disk"``: each fixed slice goes through :class:`~odl_geo.checks.flood_rtree.TableOverlaps` (its
  pairs with the slices before found in an R-tree on disk), and to ``sink`` (a GeoPackage being built, step 3 of
  docs/flood.md); no slice is kept, the result's frame is an empty frame of the table's columns and its counts
  say the table's rows. The same findings as ``"whole"`` (``tests/unit/test_table_checks.py``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self

from ..checks.names import product_layer_name
from ..checks.registry import CheckContext
from ..feedback import check_cancelled
from ..memory import release_free_memory
from ..report import Issue, Report, Severity
from .run import CHECK_PIECE_ROWS, WHOLE_TABLE_CHECKS, LayerResult, ThemeOptions, _area_fields, _check_layer

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

    from ..checks.areas import Area
    from ..feedback import Feedback
    from ..profiles.base import Profile, RoleSpec

__all__ = ["TableChecks"]


class TableChecks:
    """One table's checks and fixes, given its rows in order (:meth:`add`), ended by :meth:`finish`; used as a
    context manager (or :meth:`close`), its carry's folder and R-trees go whatever happens.

    :param layer: the table's name and how the report shows it.
    :param rows: rows a slice (the checks' memory).
    :param overlaps: ``"whole"``: the overlap checks run on the whole fixed table at the end (the slices are kept);
        ``"on_disk"``: each fixed slice is checked against the slices before on disk and given to ``sink``.
    :param sink: told each fixed slice, in order (with ``"on_disk"``).
    """

    def __init__(
        self,
        role: str,
        layer: tuple[str, str],
        profile: Profile,
        spec: RoleSpec | None,
        options: ThemeOptions,
        area: Area | None,
        feedback: Feedback,
        rows: int = CHECK_PIECE_ROWS,
        overlaps: Literal["whole", "on_disk"] = "whole",
        sink: Callable[[gpd.GeoDataFrame], None] | None = None,
    ) -> None:
        from ..checks._carry import layer_carry
        from ..checks.flood_rtree import TableOverlaps
        from ..checks.registry import checks_for
        from .merge import ChunkMerger

        if rows < 1:
            raise ValueError("rows must be at least 1")
        if sink is not None and overlaps != "on_disk":
            raise ValueError("a sink takes the fixed slices: the overlaps must then be checked on disk")
        self.role, self.layer, self.profile, self.spec = role, layer, profile, spec
        self.options, self.area, self.feedback, self.rows = options, area, feedback, rows
        self.sink = sink
        name = layer[0]
        self._skip = WHOLE_TABLE_CHECKS | ({"LAYER_NAME_NOT_XML_SAFE"} if product_layer_name(name) != name else set())
        self._merger = ChunkMerger()
        self._buffer: list[gpd.GeoDataFrame] = []
        self._buffered = 0
        self._start = 0  # rows of the table as given checked so far: the next slice's offset
        self._done = 0  # rows of the fixed table so far (a fix may leave rows out)
        self._faulty: set[int] = set()
        self._errors: set[int] = set()
        self._first: LayerResult | None = None
        self._empty: gpd.GeoDataFrame | None = None  # the table's columns, no row (a table given no row at all)
        self._kept: list[gpd.GeoDataFrame] | None = [] if overlaps == "whole" else None
        self._spill = Path(tempfile.mkdtemp(prefix="odl-geo-carry-"))
        self._carry: dict[str, object] | None = layer_carry(self._spill)
        self._overlaps: TableOverlaps | None = None
        if overlaps == "on_disk":
            codes = frozenset(c.code for c in checks_for(profile.key)) & WHOLE_TABLE_CHECKS
            self._overlaps = TableOverlaps(name, spec.role if spec is not None else "", codes, self._spill)

    # -- rows in ---------------------------------------------------------------------------------------
    def add(self, frame: gpd.GeoDataFrame) -> None:
        """The table's next rows (any number); each complete slice is checked at once."""
        if self._empty is None:
            self._empty = frame.iloc[:0].copy()  # a copy: a slice of the frame would keep its rows alive
        if not len(frame):
            return
        self._buffer.append(frame)
        self._buffered += len(frame)
        while self._buffered >= self.rows:
            self._check_next(self.rows)

    def _check_next(self, n: int) -> None:
        """Check the first ``n`` buffered rows as one slice of the table."""
        from ..checks._carry import settle
        from ..checks.runner import commit_chunk

        if len(self._buffer) == 1:
            held = self._buffer[0]
        else:
            import pandas as pd

            held = pd.concat(self._buffer, ignore_index=True)
        piece = held.iloc[:n].reset_index(drop=True)
        rest = held.iloc[n:]
        self._buffer = [rest] if len(rest) else []
        self._buffered = len(rest)
        del held, rest
        check_cancelled(self.feedback, "Checking")
        piece_report = Report()
        assert self._carry is not None
        result = _check_layer(
            self.role, piece, self.layer, self.profile, self.spec, self.options, self.area, piece_report,
            self.feedback, offset=self._start, carry=self._carry, skip=WHOLE_TABLE_CHECKS,
        )  # fmt: skip
        del piece
        assert result.context is not None
        commit_chunk(result.context, self.profile.key, frozenset(self._skip))
        settle(self._carry)
        done = self._done
        self._merger.add_report(piece_report, done)
        self._merger.add_fixes(result.fixes, self._start)
        self._faulty.update(r + done for r in result.faulty)
        self._errors.update(r + done for r in result.error_rows)
        if self._overlaps is not None:
            self._overlaps.add(result.frame)
        if self._kept is not None:
            self._kept.append(result.frame)
        if self.sink is not None:
            self.sink(result.frame)
        self._start += n
        self._done += len(result.frame)
        result.context = None
        if self._first is None:
            self._first = result  # the table's result: its fields, checks and product name are the first slice's
        del result
        release_free_memory()

    # -- the end ---------------------------------------------------------------------------------------
    def finish(self, report: Report) -> LayerResult:
        """Check the last slice, run the checks that wait for the whole table, and add the table's merged
        findings to ``report``. The result counts the fixed table's rows (``feature_count``)."""
        from ..checks.registry import checks_for
        from ..checks.runner import finish_checks, run_checks

        try:
            if self._buffered:
                self._check_next(self._buffered)
            if self._first is None:  # no row at all: the empty table checked, as a whole check of it would
                if self._empty is None:
                    raise ValueError(f"{self.layer[0]}: no frame given, not even an empty one")
                self._buffer = [self._empty]
                self._check_next(0)
            first = self._first
            assert first is not None and self._carry is not None
            theme = self.profile.key
            name = self.layer[0]
            end = CheckContext(first.frame.iloc[:0], name, self.profile, self.spec, *_area_fields(self.area),
                               offset=self._start, carry=self._carry)  # fmt: skip
            for issue in finish_checks(end, theme, frozenset(self._skip)).issues:
                self._note(issue, 0)
            del end
            self._carry = None
            on_disk = self._overlaps.issues() if self._overlaps is not None else []
        finally:
            self.close()
        codes = frozenset(c.code for c in checks_for(theme))
        if self._kept is not None:
            import pandas as pd

            checked = pd.concat(self._kept, ignore_index=True) if len(self._kept) > 1 else self._kept[0]
            self._kept = None
            whole = CheckContext(checked, name, self.profile, self.spec, *_area_fields(self.area))
            overlaps = run_checks(whole, theme, frozenset(codes - WHOLE_TABLE_CHECKS))
            del whole
            for issue in overlaps.issues:
                self._note(issue, 0)
            ran = set(first.checks_ran) | set(overlaps.ran)
            first.frame = checked
        else:
            for issue in on_disk:
                self._note(issue, 0)
            ran = set(first.checks_ran) | (codes & WHOLE_TABLE_CHECKS)
            first.frame = first.frame.iloc[:0]
            first.total, first.faulty_total = self._done, len(self._faulty)
        for issue in self._merger.issues():
            report.add(issue)
        first.faulty, first.error_rows = self._faulty, self._errors
        first.fixes = self._merger.fixes(name)
        first.checks_ran = [c.code for c in checks_for(theme) if c.code in ran]
        return first

    def _note(self, issue: Issue, offset: int) -> None:
        self._merger.add(issue, offset)
        self._faulty.update(issue.examples)
        if issue.severity is Severity.ERROR:
            self._errors.update(issue.examples)

    def close(self) -> None:
        """Remove the carry's folder and the overlaps' R-trees (after :meth:`finish`, or instead of it)."""
        if self._overlaps is not None:
            self._overlaps.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""A large CNIG table checked as its rows come (``odl_geo/theme/table_checks.py``): the same checks whatever the
pieces it is given, and, with the overlaps checked on disk and the fixed slices given to a sink, the same findings
and the same fixed rows as the table checked whole (step 3 of docs/flood.md: a PPR's zones checked and written a
piece at a time).

The tables are those a real run checks in slices: the bundled PPR of Le Bourg-d'Oisans and a DDT38 PPR with
multirisk zones, the first given faults that span slices (accents damaged early and late, a zone repeated at the
end, zones moved to the end that overlap zones of the first slice), captured from ``check_theme`` with a small
``chunk_rows``.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from odl_geo.feedback import NullFeedback
from odl_geo.report import Report
from odl_geo.theme import run as theme_run
from odl_geo.theme.run import ThemeOptions, check_theme
from odl_geo.theme.table_checks import TableChecks

MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
ROWS = 40  # rows a slice: the tables of both PPRs come in several


def _captured(src: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[object, ...], Report, object]]:
    """Each table a run of ``src`` checks in slices: the arguments it was checked with, its findings, its result."""
    seen: list[tuple[tuple[object, ...], Report, object]] = []
    real = theme_run._check_in_pieces

    def capture(role, frame, layer, profile, spec, options, area, report, feedback, rows):
        own = Report()
        result = real(role, frame, layer, profile, spec, options, area, own, feedback, rows)
        seen.append(((role, frame, layer, profile, spec, options, area, rows), own, result))
        for issue in own.issues:
            report.add(issue)
        return result

    monkeypatch.setattr(theme_run, "_check_in_pieces", capture)
    check_theme(src, "flood", ThemeOptions(fix=True, repair=True, chunk_rows=ROWS))
    monkeypatch.undo()
    assert len(seen) >= 3 and any(len(args[1]) > 3 * ROWS for args, _, _ in seen)
    return seen


@pytest.fixture(params=["faulty", "multialea"])
def tables(request, shared_data, tmp_path, monkeypatch) -> list[tuple[tuple[object, ...], Report, object]]:
    """The tables a run checks in slices (:func:`_captured`) of the faulty bundled PPR and a DDT38 PPR."""
    if request.param == "faulty":
        src = request.getfixturevalue("faulty_ppr")  # tests/unit/conftest.py
    else:
        src = Path(shutil.copy2(shared_data / MULTI, tmp_path / Path(MULTI).name))
    return _captured(src, monkeypatch)


def _issues(report: Report) -> list[dict[str, object]]:
    return [i.to_dict() for i in report.issues]


def _checks(args: tuple[object, ...], **kw: object) -> TableChecks:
    role, _, layer, profile, spec, options, area, rows = args
    return TableChecks(role, layer, profile, spec, options, area, NullFeedback(), rows, **kw)  # type: ignore[arg-type]


def _cut(frame: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    """The frame in pieces of 0 to 3 slices' rows (an empty piece among them), each numbered from 0."""
    rng = np.random.default_rng(seed)
    cuts = sorted(set(rng.integers(0, len(frame), size=max(len(frame) // 25, 2)).tolist()))
    bounds = [0, 0, *cuts, len(frame)]
    return [frame.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(bounds)]


def _same_result(a, b) -> None:
    assert a.frame.equals(b.frame)
    assert (a.faulty, a.error_rows, a.checks_ran, a.product_name) == (b.faulty, b.error_rows, b.checks_ran,
                                                                      b.product_name)  # fmt: skip
    assert [(f.code, f.details, f.changes, f.changes_fr) for f in a.fixes] == [
        (f.code, f.details, f.changes, f.changes_fr) for f in b.fixes
    ]


def test_the_pieces_given_do_not_change_the_checks(tables):
    """Fed in pieces of any size, the table is checked in the same slices: the same findings, fixed rows, rows
    with problems and fixes as the whole table given at once (what the run does)."""
    for seed, (args, whole_report, whole) in enumerate(tables):
        checks = _checks(args)
        pieces = _cut(args[1], seed)
        assert len(pieces) > 2 and not len(pieces[0])
        for piece in pieces:
            checks.add(piece)
        report = Report()
        result = checks.finish(report)
        assert _issues(report) == _issues(whole_report), args[0]
        _same_result(result, whole)


def test_overlaps_on_disk_and_a_sink_give_the_table_checked_whole(tables):
    """The fixed slices given to a sink (a GeoPackage being built) and the overlaps found against the slices
    before on disk: the same findings (the overlaps across the first and last slices included), the sink's rows
    are the fixed table, and the result counts them without holding them."""
    overlaps_found = 0
    for seed, (args, whole_report, whole) in enumerate(tables):
        sunk: list[pd.DataFrame] = []
        checks = _checks(args, overlaps="on_disk", sink=sunk.append)
        for piece in _cut(args[1], seed + 100):
            checks.add(piece)
        report = Report()
        result = checks.finish(report)
        assert _issues(report) == _issues(whole_report), args[0]
        overlaps_found += sum("OVERLAP" in i.code for i in report.issues)
        fixed = pd.concat(sunk, ignore_index=True)
        assert all(len(s) <= args[-1] for s in sunk)
        assert fixed.equals(whole.frame), args[0]
        assert list(result.frame.columns) == list(whole.frame.columns) and len(result.frame) == 0
        assert (result.feature_count, result.problem_count) == (len(whole.frame), len(whole.faulty))
        assert (result.faulty, result.error_rows, result.checks_ran) == (whole.faulty, whole.error_rows,
                                                                         whole.checks_ran)  # fmt: skip
    assert overlaps_found >= 1  # the faulty copy's moved zones


def test_the_carry_folder_goes_whatever_happens(tables):
    """A failure while the table is checked (here its sink: a disk full while the GeoPackage is written) leaves
    no carry or R-tree file behind."""
    args = next(args for args, _, _ in tables if "reglementaire" in args[0])

    def full(frame: pd.DataFrame) -> None:
        assert any(folder.iterdir())  # the carry's hashes and the overlaps' R-tree are there meanwhile
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space"), _checks(args, overlaps="on_disk", sink=full) as checks:
        folder = checks._spill
        checks.add(args[1])
    assert not folder.exists()
    with pytest.raises(ValueError, match="sink"):
        _checks(args, sink=lambda frame: None)


def test_an_empty_table_is_checked_as_one_empty_slice(tables):
    args = tables[0][0]
    checks = _checks(args, overlaps="on_disk", sink=lambda frame: None)
    checks.add(args[1].iloc[:0])
    result = checks.finish(Report())
    assert result.feature_count == 0 and result.checks_ran


@pytest.mark.parametrize("name", ["multialea", "faulty-pieces", "faulty-slices"])
def test_the_rows_conform_gives_back_piece_by_piece_are_checked_as_the_whole_tables(
    name, request, shared_data, tmp_path, monkeypatch
):
    """Step 3's way in: ``conform`` gives each piece's CNIG rows back as it comes (``ZonePieces.emit_rows``, the
    first pass's answers), and each zone table's rows go to its ``TableChecks`` as they come, the multirisk zones'
    expanded rows last: the same findings, fixed rows and fixes as the run's check of the whole table. The pieces'
    frames are built as the whole table's (their columns' types), so a slice spanning two pieces is checked as the
    same slice of the whole table."""
    from odl_geo.profiles.flood.model import as_geoframe
    from tests.unit.test_flood_first_pass import _conformed_by_pieces
    from tests.unit.test_flood_pieces import _faulty

    if name == "multialea":
        ppr = Path(shutil.copy2(shared_data / MULTI, tmp_path / Path(MULTI).name))
    elif name == "faulty-pieces":  # faults in the first and last pieces of the zone layers
        ppr = _faulty(tmp_path, shared_data)
    else:  # faults whose checks span slices
        ppr = request.getfixturevalue("faulty_ppr")
    seen = _captured(ppr, monkeypatch)
    given_out, given, _ = _conformed_by_pieces(ppr, emit=True, rows=17)
    compared = 0
    for args, whole_report, whole in seen:
        kind = str(args[0])
        parts = [*given.get(kind, []), *([given_out.frames[kind]] if kind in given_out.frames else [])]
        if not kind.startswith(("zonealea", "zonemultialea", "zonereglementaire")):
            continue
        assert parts, kind
        with _checks(args) as checks:
            for part in parts:
                checks.add(as_geoframe(part))  # as covadis_to_cnig hands every table on (a table: a null geometry)
            report = Report()
            result = checks.finish(report)
        assert _issues(report) == _issues(whole_report), kind
        _same_result(result, whole)
        # and as step 3 will: the overlaps on disk, each fixed slice to the GeoPackage being built
        sunk: list[pd.DataFrame] = []
        with _checks(args, overlaps="on_disk", sink=sunk.append) as checks:
            for part in parts:
                checks.add(as_geoframe(part))
            report = Report()
            result = checks.finish(report)
        assert _issues(report) == _issues(whole_report), kind
        assert pd.concat(sunk, ignore_index=True).equals(whole.frame), kind
        assert (result.faulty, result.error_rows, result.feature_count) == (whole.faulty, whole.error_rows,
                                                                            len(whole.frame))  # fmt: skip
        compared += 1
    assert compared >= 2


@pytest.mark.parametrize("name", ["multialea", "faulty-slices"])
def test_the_checked_slices_appended_as_they_come_are_the_geopackage_of_the_run(
    name, request, shared_data, tmp_path, monkeypatch
):
    """Step 3's way out: each zone table's fixed slices appended to the CNIG GeoPackage as they are checked
    (``GpkgBuilder.append`` as ``TableChecks``' sink, the tables' pieces interleaved as one piece of zones feeds
    several tables), the other tables whole: the file's bytes are those of the GeoPackage the run builds from its
    whole tables (the product ``write_products`` publishes)."""
    from odl_geo.profiles.flood.gpkg import GpkgBuilder
    from odl_geo.profiles.flood.model import as_geoframe
    from odl_geo.profiles.flood.profile import _as_ppr, _timestamp
    from tests.unit.test_flood_first_pass import _conformed_by_pieces

    if name == "multialea":
        ppr_path = Path(shutil.copy2(shared_data / MULTI, tmp_path / Path(MULTI).name))
    else:
        ppr_path = request.getfixturevalue("faulty_ppr")
    seen: list[tuple[tuple[object, ...], Report, object]] = []
    real = theme_run._check_in_pieces

    def capture(role, frame, layer, profile, spec, options, area, report, feedback, rows):
        result = real(role, frame, layer, profile, spec, options, area, report, feedback, rows)
        seen.append(((role, frame, layer, profile, spec, options, area, rows), Report(), result))
        return result

    monkeypatch.setattr(theme_run, "_check_in_pieces", capture)
    run = check_theme(ppr_path, "flood", ThemeOptions(fix=True, repair=True, chunk_rows=ROWS))
    monkeypatch.undo()
    assert run.profile is not None and run.dataset is not None
    ppr = _as_ppr(run.dataset)
    whole = run.profile._build(ppr, tmp_path / "whole", check_foreign_keys=True)  # type: ignore[attr-defined]

    given_out, given, _ = _conformed_by_pieces(ppr_path, emit=True, rows=17)
    streamed = tmp_path / "streamed" / whole.name
    streamed.parent.mkdir()
    builder = GpkgBuilder(streamed, ppr.prefix, timestamp=_timestamp(ppr))
    for kind in ppr.frames:  # every table created first, in the tables' order (the first pass gives it)
        builder.table(kind)
    by_kind = {str(args[0]): args for args, _, _ in seen}
    zone = [k for k in ppr.frames if k in by_kind]
    assert len(zone) >= 2
    checks = {
        kind: _checks(by_kind[kind], overlaps="on_disk", sink=lambda f, kind=kind: builder.append(kind, f))
        for kind in zone
    }
    queues = {
        kind: [*given.get(kind, []), *([given_out.frames[kind]] if kind in given_out.frames else [])] for kind in zone
    }
    while any(queues.values()):  # the tables' pieces interleaved
        for kind in zone:
            if queues[kind]:
                checks[kind].add(as_geoframe(queues[kind].pop(0)))
    for kind in zone:
        checks[kind].finish(Report())
    for kind, frame in ppr.frames.items():
        if kind not in zone and len(frame):
            builder.append(kind, frame)
    builder.finish(metadata_xml=ppr.metadata_xml, check_foreign_keys=True)
    assert streamed.read_bytes() == whole.read_bytes()

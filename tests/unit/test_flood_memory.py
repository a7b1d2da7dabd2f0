"""A flood run reads its COVADIS layers in pieces and puts them together: the same frames, the same run.

``check_theme`` reads the layers of a multi-layer theme (the CNIG PPR) with
:func:`~odl_geo.normalise.frames.read_frames` and joins the pieces (``odl_geo/theme/run.py``, ``_read_in_pieces``),
so that the whole layer's WKB never lives beside its shapes (the memory peak of a large PPR's reading). These
tests hold that equal to reading the layer whole, on real PPRs cut in small pieces: the frames (values, types,
geometries byte for byte), and a whole run's report and CNIG tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely
from pyproj import CRS

from odl_geo.feedback import NullFeedback
from odl_geo.normalise.frames import read_frame
from odl_geo.normalise.options import NormaliseOptions
from odl_geo.report import Report
from odl_geo.sources import open_source
from odl_geo.theme import run as theme_run
from odl_geo.theme.run import ThemeOptions, check_theme

BUNDLED = Path(__file__).resolve().parents[2] / "examples" / "flood" / "PPRn_BourgOisans.zip"
MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"


@pytest.fixture(params=["bundled", "multialea"])
def ppr(request, shared_data, tmp_path) -> Path:
    src = BUNDLED if request.param == "bundled" else shared_data / MULTI
    return Path(shutil.copy2(src, tmp_path / src.name))


def _same_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert type(a) is type(b) and list(a.columns) == list(b.columns)
    assert a.geometry.name == b.geometry.name and a.crs == b.crs
    pd.testing.assert_frame_equal(a.drop(columns=a.geometry.name), b.drop(columns=b.geometry.name))
    wkb_a, wkb_b = shapely.to_wkb(a.geometry.values), shapely.to_wkb(b.geometry.values)
    assert list(wkb_a) == list(wkb_b)


def test_pieces_joined_are_the_layer_read_whole(ppr):
    options = NormaliseOptions(target_crs=CRS.from_epsg(2154), repair=True)
    pieces_seen = 0
    with open_source(ppr) as src:
        for layer in src.layers:
            whole = read_frame(layer, options, Report())
            joined = theme_run._read_in_pieces(layer, options, Report(), NullFeedback(), rows=37)
            _same_frames(whole, joined)
            pieces_seen += len(whole) > 37
    assert pieces_seen >= 2  # the zone layers really came in several pieces


def test_a_run_read_in_small_pieces_is_the_same_run(ppr, monkeypatch):
    whole = check_theme(ppr, "flood", ThemeOptions(fix=True, repair=True))
    calls: list[int] = []
    real = theme_run._frame_pieces  # how every layer of a PPR is cut (the zones given to conform in pieces)

    def small(layer, normalise, report, feedback, rows):
        calls.append(rows)
        return real(layer, normalise, report, feedback, 29)

    monkeypatch.setattr(theme_run, "_frame_pieces", small)
    pieces = check_theme(ppr, "flood", ThemeOptions(fix=True, repair=True))
    assert calls  # the multi-layer path reads in pieces
    assert [i.to_dict() for i in whole.report.issues] == [i.to_dict() for i in pieces.report.issues]
    assert whole.dataset is not None and pieces.dataset is not None
    assert sorted(whole.dataset.frames) == sorted(pieces.dataset.frames)
    for kind, frame in whole.dataset.frames.items():
        other = pieces.dataset.frames[kind]
        pd.testing.assert_frame_equal(
            pd.DataFrame(frame).drop(columns=frame.geometry.name, errors="ignore"),
            pd.DataFrame(other).drop(columns=other.geometry.name, errors="ignore"),
        )
        if "geometry" in frame:
            assert list(shapely.to_wkb(frame.geometry.values)) == list(shapely.to_wkb(other.geometry.values))
    # the checks' contexts are let go once a table is checked: nothing holds their whole-table arrays
    assert all(lyr.context is None for lyr in pieces.layers)


def _findings(run) -> list[tuple[object, ...]]:
    return [(i.code, i.severity.value, i.layer, i.count, tuple(i.examples)) for i in run.report.issues]


@pytest.mark.parametrize("rows", [29, 250])
def test_large_tables_checked_in_pieces_as_if_whole(faulty_ppr, rows):
    """A table of more rows than ``chunk_rows`` is checked (and fixed) in pieces: the same fixed tables, the same
    findings (count and rows), the same rows with problems or errors (``--drop-invalid`` leaves those out)."""
    src = faulty_ppr
    whole = check_theme(src, "flood", ThemeOptions(fix=True, repair=True))
    pieces = check_theme(src, "flood", ThemeOptions(fix=True, repair=True, chunk_rows=rows))
    # the same findings; a message may differ where a check quotes a row in its own words ("removed: #4" for
    # the layer's #584): the checks' messages name rows of the frame they were given, in streamed runs too
    assert _findings(whole) == _findings(pieces)
    assert [lyr.role for lyr in whole.layers] == [lyr.role for lyr in pieces.layers]
    for a, b in zip(whole.layers, pieces.layers, strict=True):
        assert a.frame.equals(b.frame), a.role
        assert (a.faulty, a.error_rows, a.checks_ran) == (b.faulty, b.error_rows, b.checks_ran), a.role
        assert [(f.code, f.details) for f in a.fixes] == [(f.code, f.details) for f in b.fixes], a.role
    fixed = next(lyr for lyr in pieces.layers if lyr.role == "zonereglementaireurba_s")
    # the regulatory table came in pieces; the repeated zone (last piece) is a copy of one of the first piece
    assert len(fixed.frame) > rows
    assert {f.code for f in fixed.fixes} == {"TEXT_ENCODING_DAMAGED", "DUPLICATE_FEATURE"}
    assert [d.feature for f in fixed.fixes if f.code == "DUPLICATE_FEATURE" for d in f.details] == [584]
    # the zones moved to the end overlap zones of the first piece: found across the pieces, as on the whole table
    found = {(i.code, i.layer.split("_", 2)[2]): i for i in pieces.report.issues if "OVERLAP" in i.code}
    assert set(found) == {
        ("PPR_ZONEREG_OVERLAP", "zonereglementaireurba_s"),
        ("PPR_ALEA_LEVEL_OVERLAP", "zonealeareference_115_s"),
        ("PPR_ALEA_LEVEL_OVERLAP", "zonealeanaturelsynthese_s"),
    }
    assert 20 in found["PPR_ZONEREG_OVERLAP", "zonereglementaireurba_s"].examples

"""``conform`` takes a COVADIS PPR's zone layers a piece at a time: the same CNIG tables and findings as whole.

``check_theme`` gives the flood profile its zone layers (N_ZONE_ALEA, N_ZONE_REG_*) as pieces read when asked
for (``odl_geo/theme/run.py``, ``_layer_frames``), and ``FloodProfile.conform_pieces`` turns each piece into its
CNIG rows before the next one is read (``profiles/flood/covadis.py``, ``ZonePieces``; ``hazards.py``,
``HazardPieces``): the whole-layer decisions (duplicate identifiers, codes outside the lists, multi-parts split,
the procedure type from every hazard code, the map files' addresses, the local codes of a mapping file, the
multirisk zones joined with N_MULTIALEA) are made over the pieces. These tests run real PPRs cut into small
pieces against the former path (every layer read whole, then ``conform``), with faults placed in early and late
pieces: the report (every issue, its count, rows and texts), the tables (values, index, shapes byte for byte)
and the layers' source fields are the same.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from odl_geo.normalise.options import NormaliseOptions
from odl_geo.profiles.flood import FloodProfile
from odl_geo.theme import run as theme_run
from odl_geo.theme.run import ThemeOptions, check_theme

BUNDLED = Path(__file__).resolve().parents[2] / "examples" / "flood" / "PPRn_BourgOisans.zip"
MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
OTHER = "flood/ddt38_pprn_38DDT20170001_covadis/38DDT20170001.zip"


def _faulty(tmp_path: Path, shared_data: Path) -> Path:
    """The multirisk PPR (with N_MULTIALEA) unzipped, with faults in its first and last pieces: an ID_ZONE
    repeated far from its first use, hazard codes and levels outside the lists, a multi-part zone, a multirisk
    flag that disagrees, regulatory zones without CODEZONE, with an unknown TYPEREG, with a foncier TYPEREG
    (a second table whose rows keep the layer's numbering), a DDT's own TYPEREG letters, a map file first named
    in a late piece."""
    folder = tmp_path / "ppr"
    with zipfile.ZipFile(shared_data / MULTI) as z:
        z.extractall(folder)
    (alea_path,) = folder.rglob("N_ZONE_ALEA_*.shp")
    alea = pyogrio.read_dataframe(alea_path)
    alea.loc[150, "id_zone"] = alea.loc[2, "id_zone"]
    alea.loc[[5, 160], "coderisque"] = "4150000"
    alea.loc[170, "nivalea_st"] = None
    alea.loc[40, "multi_alea"] = "oui"
    far = shapely.affinity.translate(alea.geometry.iloc[41], 5_000, 0)
    alea.loc[100, "geometry"] = shapely.MultiPolygon([alea.geometry.iloc[100], far])
    _write(alea, alea_path)
    (reg_path,) = folder.rglob("N_ZONE_REG_*.shp")
    reg = pyogrio.read_dataframe(reg_path)
    reg.loc[[3, 190], "typereg"] = "07"
    reg.loc[[10, 180, 181], "typereg"] = "05"
    reg.loc[[60, 200], "typereg"] = "I"
    reg.loc[[1, 205], "codezone"] = None
    reg.loc[203, "id_zone"] = reg.loc[0, "id_zone"]
    reg.loc[199, "urlfic"] = "https://example.org/zonage-annexe.pdf"
    reg.loc[199, "nomfic"] = "zonage-annexe.pdf"
    _write(reg, reg_path)
    return folder


def _write(frame, path: Path) -> None:
    for part in path.parent.glob(path.stem + ".*"):
        if part.suffix.lower() in (".shp", ".shx", ".dbf", ".cpg"):
            part.unlink()
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")


@pytest.fixture(params=["bundled", "multialea", "20170001", "faulty"])
def ppr(request, shared_data, tmp_path) -> Path:
    if request.param == "faulty":
        return _faulty(tmp_path, shared_data)
    src = {"bundled": BUNDLED, "multialea": shared_data / MULTI, "20170001": shared_data / OTHER}[request.param]
    return Path(shutil.copy2(src, tmp_path / src.name))


def _runs(ppr: Path, monkeypatch, mapping: Path | None = None, rows: int = 23):
    """The run with every layer read whole before ``conform``, and the run with the zones given in pieces."""
    options = ThemeOptions(fix=True, repair=True, mapping=mapping)
    with monkeypatch.context() as m:
        m.setattr(FloodProfile, "piece_roles", ())  # the former path: no layer given in pieces
        whole = check_theme(ppr, "flood", options)
    seen: list[int] = []
    real = theme_run._frame_pieces

    def small(layer, normalise, report, feedback, _rows):
        for piece in real(layer, normalise, report, feedback, rows):
            seen.append(len(piece))
            yield piece

    monkeypatch.setattr(theme_run, "_frame_pieces", small)
    pieces = check_theme(ppr, "flood", options)
    assert len(seen) >= 10  # the zone layers really came in many pieces
    return whole, pieces


def _same(whole, pieces) -> None:
    assert [i.to_dict() for i in whole.report.issues] == [i.to_dict() for i in pieces.report.issues]
    assert whole.dataset is not None and pieces.dataset is not None
    assert list(whole.dataset.frames) == list(pieces.dataset.frames)  # the tables, in the same order
    for kind, frame in whole.dataset.frames.items():
        other = pieces.dataset.frames[kind]
        geom = frame.geometry.name
        pd.testing.assert_frame_equal(pd.DataFrame(frame).drop(columns=geom), pd.DataFrame(other).drop(columns=geom))
        assert list(shapely.to_wkb(frame.geometry.values)) == list(shapely.to_wkb(other.geometry.values)), kind
    assert [lyr.to_dict() for lyr in whole.layers] == [lyr.to_dict() for lyr in pieces.layers]


def test_zone_layers_conformed_in_pieces_as_if_whole(ppr, monkeypatch):
    whole, pieces = _runs(ppr, monkeypatch)
    _same(whole, pieces)


def test_faults_across_pieces_found_as_in_whole_layers(shared_data, tmp_path, monkeypatch):
    """The faults placed in early and late pieces are each reported once for the layer, with the layer's rows;
    the foncier zones (TYPEREG 05) make their own table with the layer's numbering; a DDT's own codes mapped."""
    folder = _faulty(tmp_path, shared_data)
    mapping = tmp_path / "ddt38.toml"
    mapping.write_text('[values.typereg]\nI = "03"\n', encoding="utf-8")
    whole, pieces = _runs(folder, monkeypatch, mapping)
    _same(whole, pieces)
    found = {(i.code, i.layer.split("_PPRN")[0]): i for i in pieces.report.issues}
    assert found["PPR_ID_DUPLICATE", "N_ZONE_ALEA"].examples == [2, 150]
    assert found["PPR_ID_DUPLICATE", "N_ZONE_REG"].examples == [0, 203]
    assert found["PPR_CODE_NOT_IN_LIST", "N_ZONE_REG"].examples == [3, 190]
    assert found["PPR_VALUE_MISSING", "N_ZONE_REG"].examples == [1, 205]
    assert found["PPR_MULTIPART_SPLIT", "N_ZONE_ALEA"].examples == [100]
    assert found["PPR_VALUES_MAPPED", "N_ZONE_REG"].count == 2
    foncier = pieces.dataset.frames["zonereglementairefoncier_s"]
    assert list(foncier.index) == [10, 180, 181] and set(foncier["typereglement"]) == {"01"}
    refs = pieces.dataset.frames["referenceinternet"]
    assert "https://example.org/zonage-annexe.pdf" in set(refs["adresse"])


def _arrow_buffers(value: object, seen: set[int] | None = None) -> set[int]:
    """The addresses of the Arrow buffers of every pandas column reachable from ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return set()
    seen.add(id(value))
    if isinstance(value, (pd.Series, pd.Index)):
        data = getattr(value.array, "_pa_array", None)
        if data is None:
            return set()
        return {b.address for chunk in data.chunks for b in chunk.buffers() if b is not None and b.size}
    if isinstance(value, pd.DataFrame):
        return {a for c in value.columns for a in _arrow_buffers(value[c], seen)}
    if isinstance(value, dict):
        return {a for v in value.values() for a in _arrow_buffers(v, seen)}
    if isinstance(value, (list, tuple, set)):
        return {a for v in value for a in _arrow_buffers(v, seen)}
    if hasattr(value, "__dict__") and type(value).__module__.startswith("odl_geo"):
        return _arrow_buffers(vars(value), seen)
    return set()


def test_the_pieces_state_holds_no_column_of_a_piece(shared_data):
    """What the accumulators keep of a piece is its values, never a column of the piece's frame as read: such a
    column (Arrow memory imported from GDAL's stream) keeps the piece's whole Arrow batch alive, its shapes' WKB
    included (a kept MULTI_ALEA column held ~60 MiB of WKB at 100,000 zones until ``conform`` returned)."""
    from pyproj import CRS

    from odl_geo.normalise.frames import read_frames
    from odl_geo.normalise.options import NormaliseOptions
    from odl_geo.profiles.flood.covadis import ZonePieces
    from odl_geo.report import Report
    from odl_geo.sources import open_source

    pieces = ZonePieces()
    read: list[pd.DataFrame] = []  # kept alive, so that no address of theirs is reused while the test looks
    with open_source(shared_data / MULTI) as src:
        for layer in src.layers:
            if "_ZONE_" not in layer.name.upper():
                continue
            role = "zone_alea" if "ALEA_" in layer.name.upper() else "zone_reglementaire"
            for piece in read_frames(layer, 40, NormaliseOptions(target_crs=CRS.from_epsg(2154)), Report()):
                read.append(piece)
                pieces.add(role, piece)
    as_read = _arrow_buffers(read)
    assert as_read  # the pieces do come with Arrow columns
    assert pieces.hazards.rows > 40 and pieces.regulatory["zone_reglementaire"].rows > 40
    assert not _arrow_buffers(pieces) & as_read


def test_zone_layers_read_in_small_gdal_batches_as_if_whole(ppr, monkeypatch):
    """The zone layers read from GDAL in batches of PIECE_BATCH_ROWS rows (tenth session: ~2 MB, so that the batch
    read ahead weighs little beside the pieces held): batches of 5 rows, pieces of 23 rows, the tables and the
    report of the whole layers (batches and pieces whose seams fall anywhere)."""
    monkeypatch.setattr(theme_run, "PIECE_BATCH_ROWS", 5)
    batches: list[int] = []
    real = theme_run._frame_pieces

    def told(layer, normalise, report, feedback, rows):
        batches.append(normalise.batch_size)
        yield from real(layer, normalise, report, feedback, rows)

    monkeypatch.setattr(theme_run, "_frame_pieces", told)
    whole, pieces = _runs(ppr, monkeypatch)
    assert 5 in batches  # the layers given in pieces read 5 rows a batch; the others as before
    assert set(batches) == {5, NormaliseOptions().batch_size}
    _same(whole, pieces)

"""The first pass over a COVADIS PPR's zone layers (``profiles/flood/first_pass.py``) gives, before any zone is
conformed, what ``conform`` decides only after the last one: the procedure's code and the zone tables in their
order (the GeoPackage's hazard tables are created in that order). Step 3 of docs/flood.md needs both to check and
append each piece of zones on the way in. These tests compare the pass with ``conform`` of the whole layers (the
former path) on the DDT38 PPRs, on one with faults in its first and last rows and a DDT's local codes, on one
whose multirisk details name a hazard no single zone has, and on layers of two procedures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from odl_geo.errors import InputError
from odl_geo.profiles.flood import FloodProfile, load_flood_dataset
from odl_geo.profiles.flood.covadis import PIECE_ROLES, _short
from odl_geo.profiles.flood.first_pass import first_pass, procedure_code
from odl_geo.profiles.flood.model import column, text_values
from odl_geo.profiles.mapping import load_mapping
from odl_geo.report import Report
from odl_geo.sources import open_source
from tests.unit.test_flood_pieces import BUNDLED, MULTI, OTHER, _faulty, _write

ZONE_TABLES = ("zonealea", "zonemultialea", "zonereglementaire")


def _compare(ppr: Path, mapping_file: Path | None = None) -> list[str]:
    """The pass's zone tables and procedure code against ``conform``'s on the whole layers; the tables."""
    profile = FloodProfile()
    mapping = load_mapping(mapping_file, profile) if mapping_file else None
    report = Report()
    dataset = load_flood_dataset(ppr, report)
    conformed = profile.conform(dataset, mapping, report)
    with open_source(ppr) as src:
        roles = profile.assign_roles([lyr.name for lyr in src.layers])
        by_name = {lyr.name: lyr for lyr in src.layers}
        codes = first_pass({role: by_name[name] for role, name in roles.items()}, mapping)
    expected = [kind for kind in conformed.frames if kind.startswith(ZONE_TABLES)]
    assert codes.zone_tables() == expected
    others = {
        role: set(text_values(column(frame, "id_gaspar"), len(frame)).dropna())
        for role, frame in dataset.frames.items()
        if role not in PIECE_ROLES
    }
    layer = {role: _short(name) for role, name in dataset.source_names.items()}
    assert procedure_code(codes, others, layer) == conformed.codeprocedure
    return expected


@pytest.mark.parametrize("name", ["bundled", "multialea", "20170001"])
def test_the_pass_names_the_tables_and_procedure_conform_gives(name, shared_data, tmp_path):
    src = {"bundled": BUNDLED, "multialea": shared_data / MULTI, "20170001": shared_data / OTHER}[name]
    tables = _compare(Path(shutil.copy2(src, tmp_path / src.name)))
    assert any(t.startswith("zonealeareference_") for t in tables)
    if name == "multialea":
        assert tables[0] == "zonemultialeanaturel" and "zonealeanaturelsynthese_s" in tables


def test_faults_and_local_codes_as_conform(shared_data, tmp_path):
    """Hazard codes outside the lists, blank levels, foncier zones (their own table), a DDT's own TYPEREG mapped
    by the mapping file, a hazard code met in the last zone only: the same tables as ``conform``."""
    folder = _faulty(tmp_path, shared_data)
    mapping = tmp_path / "ddt38.toml"
    mapping.write_text('[values.typereg]\nI = "03"\n', encoding="utf-8")
    (alea_path,) = folder.rglob("N_ZONE_ALEA_*.shp")
    alea = pyogrio.read_dataframe(alea_path)
    alea.loc[len(alea) - 1, "coderisque"] = "1120000"  # a code only in the last row: a hazard table of its own
    _write(alea, alea_path)
    tables = _compare(folder, mapping)
    assert "zonereglementairefoncier_s" in tables and "zonealeareference_112_s" in tables


def test_codes_met_only_in_the_multirisk_details(shared_data, tmp_path):
    """A hazard code that no single-hazard zone has, only a multirisk zone's row in N_MULTIALEA: its table comes
    after the synthesis, as ``conform`` orders it; a detail row of a zone that is not multirisk makes none."""
    folder = _faulty(tmp_path, shared_data)
    (alea_path,) = folder.rglob("N_ZONE_ALEA_*.shp")
    alea = pyogrio.read_dataframe(alea_path)
    multi_zone = alea.loc[alea["coderisque"].astype(str).str.fullmatch("9+"), "id_zone"].iloc[-1]
    single_zone = alea.loc[~alea["coderisque"].astype(str).str.fullmatch("9+"), "id_zone"].iloc[0]
    (detail_path,) = folder.rglob("N_MULTIALEA_*.dbf")
    detail = pyogrio.read_dataframe(detail_path)
    natural = {str(c).rstrip("0") for c in alea["coderisque"].dropna()}
    assert "182" not in natural and "183" not in natural
    extra = detail.iloc[:2].copy()
    extra["id_zone"] = [multi_zone, single_zone]
    extra["coderisque"] = ["1820000", "1830000"]
    detail = pd.concat([detail, extra], ignore_index=True)
    for part in detail_path.parent.glob(detail_path.stem + ".*"):
        part.unlink()
    pyogrio.write_dataframe(detail, detail_path, encoding="UTF-8")
    tables = _compare(folder)
    assert tables.index("zonealeareference_182_s") > tables.index("zonealeanaturelsynthese_s")
    assert "zonealeareference_183_s" not in tables


def test_layers_of_two_procedures_refused_as_conform(shared_data, tmp_path):
    folder = _faulty(tmp_path, shared_data)
    (reg_path,) = folder.rglob("N_ZONE_REG_*.shp")
    reg = pyogrio.read_dataframe(reg_path)
    reg.loc[len(reg) - 1, "id_gaspar"] = "38DDT20990001"  # the last zone only
    _write(reg, reg_path)
    with pytest.raises(InputError, match="several procedures") as whole:
        _compare(folder)
    with open_source(folder) as src:
        roles = FloodProfile().assign_roles([lyr.name for lyr in src.layers])
        by_name = {lyr.name: lyr for lyr in src.layers}
        names = {role: _short(by_name[name].display) for role, name in roles.items()}
        codes = first_pass({role: by_name[name] for role, name in roles.items()})
    with pytest.raises(InputError, match="several procedures") as first:
        procedure_code(codes, {}, names)
    assert "38DDT20990001" in str(first.value) and "38DDT20990001" in str(whole.value)


def test_the_mapping_files_local_codes_read_as_conform_reads_them(tmp_path):
    """A mapping file that turns every TYPEREG of the bundled PPR into a foncier code: the pass, as ``conform``,
    then names the foncier table and no urba table (the pass applies the local codes, or it would name urba)."""
    ppr = Path(shutil.copy2(BUNDLED, tmp_path / BUNDLED.name))
    mapping = tmp_path / "foncier.toml"
    mapping.write_text('[values.typereg]\n"01" = "05"\n"02" = "05"\n"03" = "06"\n"04" = "06"\n', encoding="utf-8")
    tables = _compare(ppr, mapping)
    assert "zonereglementairefoncier_s" in tables and "zonereglementaireurba_s" not in tables


def _conformed_by_pieces(ppr: Path, emit: bool, rows: int = 23):
    """``covadis_to_cnig`` with the zone layers given ``rows`` at a time; with ``emit``, each piece's rows given
    back as they come (the procedure's code and the multirisk flag from the first pass). Returns the tables, the
    rows given back per table (in order), the report."""
    from odl_geo.profiles.base import ThemeDataset
    from odl_geo.profiles.flood.covadis import LocalCodes, ZonePieces, covadis_to_cnig

    profile = FloodProfile()
    report = Report()
    dataset = load_flood_dataset(ppr, Report())
    local = LocalCodes(None)
    pieces = ZonePieces()
    if emit:
        with open_source(ppr) as src:
            roles = profile.assign_roles([lyr.name for lyr in src.layers])
            by_name = {lyr.name: lyr for lyr in src.layers}
            codes = first_pass({role: by_name[name] for role, name in roles.items()})
        others = {
            role: set(text_values(column(frame, "id_gaspar"), len(frame)).dropna())
            for role, frame in dataset.frames.items()
            if role not in PIECE_ROLES
        }
        layer = {role: _short(name) for role, name in dataset.source_names.items()}
        multi = dataset.frames.get("multi_alea")
        multi = None if multi is None else local.apply("multi_alea", multi)
        pieces.emit_rows(procedure_code(codes, others, layer), codes.has_multirisk, multi, codes.multirisk)
    given: dict[str, list] = {}
    later: dict[str, list] = {}
    for role in PIECE_ROLES:
        if role not in dataset.frames:
            continue
        frame = dataset.frames[role]
        pieces.start(role)
        for start in range(0, len(frame), rows):
            for kind, part in pieces.add(role, local.apply(role, frame.iloc[start : start + rows])).items():
                given.setdefault(kind, []).append(part)
            for kind, part in (pieces.hazards.later if role == "zone_alea" else {}).items():
                later.setdefault(kind, []).append(part)
    # the PPRs with N_MULTIALEA have multirisk zones expanded into their hazards' tables
    assert bool(later) == (emit and "multi_alea" in dataset.frames)
    for kind, parts in later.items():  # the expanded rows follow every natural row of their table
        given.setdefault(kind, []).extend(parts)
    rest = ThemeDataset(
        frames={r: f for r, f in dataset.frames.items() if r not in PIECE_ROLES},
        source_names=dict(dataset.source_names),
        source_path=ppr,
    )
    out = covadis_to_cnig(rest, profile._settings(None), report, pieces)
    return out, given, report


@pytest.mark.parametrize("name", ["bundled", "multialea", "20170001", "faulty"])
def test_rows_given_back_piece_by_piece_are_the_tables(name, shared_data, tmp_path):
    """With the first pass's answers, ``conform`` can give each piece's CNIG rows back as it comes (step 3 of
    docs/flood.md: checked and appended, never kept): those rows, followed by what ``finish`` still makes (the
    multirisk zones' expansion), are the tables of the path in use, row for row (values, numbering, shapes), and
    the findings are the same. The multirisk zones are expanded piece by piece too: their detail rows come with
    the piece, their hazards' rows after every natural row of their table."""
    import geopandas as gpd
    import shapely

    if name == "faulty":
        ppr = _faulty(tmp_path, shared_data)
    else:
        src = {"bundled": BUNDLED, "multialea": shared_data / MULTI, "20170001": shared_data / OTHER}[name]
        ppr = Path(shutil.copy2(src, tmp_path / src.name))
    kept, _, kept_report = _conformed_by_pieces(ppr, emit=False)
    given_out, given, given_report = _conformed_by_pieces(ppr, emit=True)
    assert [i.to_dict() for i in kept_report.issues] == [i.to_dict() for i in given_report.issues]
    zone_kinds = [k for k in kept.frames if k.startswith(ZONE_TABLES)]
    assert all(k in given for k in zone_kinds if k.startswith("zonereglementaire"))
    assert any(k in given for k in zone_kinds if k.startswith("zonealeareference_"))
    for kind in zone_kinds:
        parts = [*given.get(kind, []), *([given_out.frames[kind]] if kind in given_out.frames else [])]
        joined = pd.concat(parts) if "reglementaire" in kind else pd.concat(parts, ignore_index=True)
        joined = gpd.GeoDataFrame(joined, geometry=joined.geometry.name, crs=kept.frames[kind].crs)
        whole = kept.frames[kind]
        geom = whole.geometry.name
        pd.testing.assert_frame_equal(pd.DataFrame(joined).drop(columns=geom), pd.DataFrame(whole).drop(columns=geom))
        assert list(shapely.to_wkb(joined.geometry.values)) == list(shapely.to_wkb(whole.geometry.values)), kind
    pd.testing.assert_frame_equal(given_out.frames["procedure"], kept.frames["procedure"])
    assert [k for k in given_out.frames if not k.startswith(ZONE_TABLES)] == [
        k for k in kept.frames if not k.startswith(ZONE_TABLES)
    ]

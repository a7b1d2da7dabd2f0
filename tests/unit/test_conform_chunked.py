"""Conforming chunk by chunk (``convert --theme`` streams a layer): every chunk is conformed alike.

The decisions a profile takes from the data (a Geotrek export: which columns hold objects) are taken on the first
chunk and kept in the layer's ``state``; every other step is by field name or value by value, so the chunks
conformed one by one give the rows of the whole layer conformed at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from odl_geo.profiles.anonymise import AnonymiseOptions, anonymise
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.registry import load_profile
from odl_geo.report import Report

EXPORT = Path(__file__).resolve().parents[1] / "data" / "geotrek" / "geotrek_treks.geojson"


def _conform_whole(theme: str, frame: gpd.GeoDataFrame) -> tuple[pd.DataFrame, Report]:
    profile, report = load_profile(theme), Report()
    out = profile.conform(ThemeDataset({"main": frame}, {"main": "couche"}), None, report)
    out, _ = anonymise(profile, out, AnonymiseOptions(), report, {"main": list(frame.columns)})
    return out.frames["main"], report


def _conform_chunks(theme: str, frame: gpd.GeoDataFrame, size: int) -> tuple[pd.DataFrame, list[Report]]:
    profile = load_profile(theme)
    state: dict[str, Any] = {}
    frames, reports = [], []
    for start in range(0, len(frame), size):
        report = Report()
        chunk = frame.iloc[start : start + size].reset_index(drop=True)
        out = profile.conform(ThemeDataset({"main": chunk}, {"main": "couche"}), None, report, state=state)
        out, _ = anonymise(profile, out, AnonymiseOptions(), report, {"main": list(frame.columns)})
        frames.append(out.frames["main"])
        reports.append(report)
    return pd.concat(frames, ignore_index=True), reports


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    data = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    return data.where(data.notna(), None).to_dict("records")


def _treks(n: int = 12) -> gpd.GeoDataFrame:
    """The Geotrek export's three treks repeated ``n`` times in all, with new ids."""
    base = pyogrio.read_dataframe(EXPORT)
    frame = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n].copy()
    frame["id"] = range(1000, 1000 + n)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=base.crs)


def test_a_geotrek_export_conformed_chunk_by_chunk_is_conformed_as_a_whole() -> None:
    frame = _treks(12)
    expected, whole_report = _conform_whole("hiking", frame)
    assert {i.code for i in whole_report.issues} >= {"GEOTREK_RECOGNISED"}
    for size in (1, 5, 100):
        got, reports = _conform_chunks("hiking", frame, size)
        assert _rows(got) == _rows(expected), f"chunks of {size}"
        recognised = [i for r in reports for i in r.issues if i.code == "GEOTREK_RECOGNISED"]
        assert len(recognised) == 1 and recognised[0].message == whole_report.issues[0].message


def test_the_geotrek_decision_of_the_first_chunk_holds_for_the_next_ones() -> None:
    """A later chunk with a blank practice, or plain text where the first chunk had objects, is read with the
    first chunk's decision: objects as labels, text kept for the checks (never emptied)."""
    frame = _treks(6)
    frame["practice"] = frame["practice"].astype(object)
    frame.loc[3, "practice"] = None
    frame.loc[4, "practice"] = "Pédestre"  # plain text, which a whole-layer read would not call Geotrek's
    got, _reports = _conform_chunks("hiking", frame, 3)
    assert list(got["pratique"]) == ["pédestre", "pédestre", "VTT", None, "pédestre", "VTT"]
    assert got["communes_code"][0] == got["communes_code"][3] == "30080,48051"  # cities of chunk 2 read too
    assert got["producteur"].eq("Parc national des Cévennes").all()
    second = _conform_chunks("hiking", frame.iloc[3:].reset_index(drop=True), 3)[0]
    assert second["producteur"].eq("Parc national des Cévennes").all()


def test_a_layer_decided_not_geotrek_stays_so() -> None:
    """The first chunk has no objects: later chunks are not flattened (their JSON stays for the checks)."""
    plain = _treks(4)
    for col in ("practice", "route", "difficulty", "themes", "networks", "structure", "cities"):
        plain[col] = plain[col].astype(object)
        plain.loc[:1, col] = "texte"
    got, reports = _conform_chunks("hiking", plain, 2)
    assert not any(i.code == "GEOTREK_RECOGNISED" for r in reports for i in r.issues)
    assert got["pratique"].iloc[2].startswith("{")


def test_water_and_pei_conform_row_by_row(data_copy) -> None:
    """The Montpellier fountains, whole and in chunks of 7: the same rows (PEI too, whose x/y come from the
    geometry)."""
    from odl_geo.normalise.frames import read_frame
    from odl_geo.sources import open_source

    with open_source(data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson")) as src:
        frame = read_frame(src.layers[0])
    for theme in ("water", "pei"):
        expected, _ = _conform_whole(theme, frame)
        got, _ = _conform_chunks(theme, frame, 7)
        assert _rows(got) == _rows(expected)
        pd.testing.assert_series_equal(
            got.geometry.to_wkt(), expected.geometry.to_wkt(), check_names=False, check_index=False
        )

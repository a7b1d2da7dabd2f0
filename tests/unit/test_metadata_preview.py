"""`odl-geo metadata PATH --preview` (the plugin's "Prévisualiser"): the record's main elements before publishing,
built by the same code as the written record, from a converted folder or from the layer's data file; missing
elements listed in French, never raised; nothing written."""

from __future__ import annotations

import shutil
import tomllib
from typing import TYPE_CHECKING

from metadata_support import DEMO, EXAMPLES, convert_demo

from odl_geo.cli.main import run_argv
from odl_geo.metadata import parse_metadata, prepare_record
from odl_geo.metadata.preview import preview_record

if TYPE_CHECKING:
    from pathlib import Path


def _table() -> dict:
    return tomllib.loads((EXAMPLES / "water" / "metadata.toml").read_text("utf-8"))


def test_preview_of_a_converted_folder_is_the_record_publication_writes(tmp_path: Path) -> None:
    folder = convert_demo("water", tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    data = preview_record(_table() | {"links": {"wms": "https://geo.example.fr/ows"}}, folder)
    record = prepare_record(folder, parse_metadata(_table() | {"links": {"wms": "https://geo.example.fr/ows"}},
                                                   "x")).record  # fmt: skip
    assert data["source"] == "folder" and data["missing"] == [] and not data["identifier_provisional"]
    assert data["title"] == record.title and data["identifier"] == record.identifier.uri
    assert data["extent_wgs84"] == list(record.extent.wgs84)
    assert data["extent_lambert93"] == list(record.extent.lambert93)
    assert data["inspire_theme"].startswith("Services d'utilité publique") and "/theme/us" in data["inspire_theme"]
    assert data["licence"].startswith(record.licence.title)
    assert [(lk["kind"], lk["name"]) for lk in data["links"]] == [(d.kind, d.name) for d in record.distributions]
    assert any(lk["kind"] == "wms" for lk in data["links"])
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written


def test_preview_of_a_data_file_and_of_an_incomplete_form(tmp_path: Path) -> None:
    source = tmp_path / "fontaines.csv"
    shutil.copy(EXAMPLES / DEMO["water"][0], source)
    data = preview_record(_table(), source, theme="water")
    assert data["source"] == "data" and data["identifier_provisional"] and data["missing"] == []
    w, s, e, n = data["extent_wgs84"]
    assert 3.8 < w < e < 4.0 and 43.5 < s < n < 43.7  # Montpellier
    assert data["feature_count"] > 0 and "/theme/us" in data["inspire_theme"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fontaines.csv"]  # converted aside, thrown away
    incomplete = {k: v for k, v in _table().items() if k not in ("abstract", "producer")}
    data = preview_record(incomplete, source, theme="water")
    assert {m["key"] for m in data["missing"]} >= {"abstract", "[producer]"}
    assert data["title"] == _table()["title"] and data["identifier"] == "" and data["extent_wgs84"] is None
    assert all(m["message_fr"] for m in data["missing"])


def test_cli_preview_json(tmp_path: Path) -> None:
    source = tmp_path / "fontaines.csv"
    shutil.copy(EXAMPLES / DEMO["water"][0], source)
    code, result, error = run_argv(["metadata", str(source), "--preview", "--theme", "water", "--metadata",
                                    str(EXAMPLES / "water" / "metadata.toml")])  # fmt: skip
    assert code == 0, error
    assert result is not None and result["preview"]["source"] == "data"
    assert result["preview"]["title"] == _table()["title"]

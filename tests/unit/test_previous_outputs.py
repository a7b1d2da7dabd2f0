"""A new conversion in a folder replaces the earlier one's files, and only the files the earlier manifest lists."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from odl_geo.exports.previous import listed_outputs, remove_stale_outputs

if TYPE_CHECKING:
    from pathlib import Path


def _manifest(folder: Path, *names: str) -> None:
    (folder / "manifest.json").write_text(json.dumps({"files": [{"path": n} for n in names]}), encoding="utf-8")


def test_only_the_earlier_conversions_files_that_the_new_one_did_not_write_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "publication"
    out.mkdir()
    outside = tmp_path / "precious.gpkg"
    for name in ("old_water.gpkg", "old_water.csv", "shared.geojson", "notes-de-la-personne.txt"):
        (out / name).write_text("x")
    outside.write_text("keep me")
    _manifest(out, "old_water.gpkg", "old_water.csv", "shared.geojson", "../precious.gpkg", "", 7)  # type: ignore[arg-type]
    before = listed_outputs(out)
    assert before == {(out / n).resolve() for n in ("old_water.gpkg", "old_water.csv", "shared.geojson")}

    (out / "new_water.gpkg").write_text("y")  # the new conversion, then its manifest
    _manifest(out, "new_water.gpkg", "shared.geojson")
    removed = remove_stale_outputs(out, before)

    assert sorted(p.name for p in removed) == ["old_water.csv", "old_water.gpkg"]
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "new_water.gpkg", "notes-de-la-personne.txt", "shared.geojson"
    ]  # fmt: skip
    assert outside.read_text() == "keep me"  # a manifest never removes anything outside its folder


def test_without_a_readable_manifest_nothing_is_listed_or_removed(tmp_path: Path) -> None:
    assert listed_outputs(tmp_path) == set()
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "a.gpkg").write_text("x")
    assert listed_outputs(tmp_path) == set()
    assert remove_stale_outputs(tmp_path, listed_outputs(tmp_path)) == []
    assert (tmp_path / "a.gpkg").exists()

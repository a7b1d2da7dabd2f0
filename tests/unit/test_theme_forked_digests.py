"""A forked format writer hashes (and flushes) each file it writes as soon as it is written, by its own core
(``digests.hash_written``): the run's process takes those digests instead of hashing the child's files once the
child is done; the manifest's sizes and SHA-256 are the files' own, as when the run hashes every file itself."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from odl_geo.exports.manifest import MANIFEST_NAME
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import digests as digests_module
from odl_geo.theme.digests import Digests
from odl_geo.theme.forked import ENV_SWITCH
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)


def _run(out: Path) -> None:
    path, options, _ = forking.SAMPLES["water"]
    convert_theme(path, out, "water", ThemeOptions(**options, chunk_rows=7), FORMATS)


def _manifest(out: Path) -> dict[str, tuple[int, str]]:
    data = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    return {f["path"]: (f["size"], f["sha256"]) for f in data["files"]}


def test_the_childs_files_come_hashed_and_the_manifest_holds_their_own_digests(tmp_path, monkeypatch):
    forks = forking.record_forks(monkeypatch)
    hashed_here: list[str] = []
    given: list[str] = []
    add, hash_and_flush = Digests.add, digests_module._hash_and_flush

    def spy_add(self, files):
        given.extend(f.path for f in files if f.sha256)
        add(self, files)

    def spy_hash(path):
        hashed_here.append(path.name)
        return hash_and_flush(path)

    monkeypatch.setattr(Digests, "add", spy_add)
    monkeypatch.setattr(digests_module, "_hash_and_flush", spy_hash)
    _run(tmp_path / "forked")
    assert forks, "the GeoPackage written by a forked child"
    # the child's files (its GeoPackage at least) came with their digests; the run hashed none of them again
    assert any(p.endswith(".gpkg") for p in given)
    assert not set(given) & set(hashed_here)
    manifest = _manifest(tmp_path / "forked")
    for name, (size, sha) in manifest.items():
        data = (tmp_path / "forked" / name).read_bytes()
        assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest()), name

    monkeypatch.setenv(ENV_SWITCH, "0")  # one format after the other, every file hashed by the run
    given.clear()
    _run(tmp_path / "serial")
    assert not given
    assert _manifest(tmp_path / "serial") == manifest

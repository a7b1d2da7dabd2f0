"""The pass's forked child (odl_geo.theme.pass_child) validates a streamed layer as one process does: the layer's
validation state (``TableLayer``: rows seen, frictionless' header and schema judged; ``LayerSample``: features
seen, the schema compiled) is kept across the chunks in the child (``validation.keep_layer_state``), not taken
afresh from each chunk's pickled copy, which the run never advances.

Before, the child validated every chunk as the layer's first: frictionless on a file of the chunk's first rows
once per chunk instead of once per layer (water 100k: ~1.5 CPU-s more in the child, the run waiting for it), and
jsonschema's first features and sample share again in each chunk. The calls to the official validators are
recorded in a file (the child's spies are the run's, inherited by the fork) and compared, call for call."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from odl_geo.profiles import products, validation
from odl_geo.profiles.base import ThemeDataset
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme.pass_child import ENV_SWITCH as PASS_SWITCH
from odl_geo.theme.pass_child import PassChild
from tests.unit import forking
from tests.unit.test_theme_stream_halves import _fountains

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """The official validators' calls of the run and of its children, in order, read back from a file."""
    log = tmp_path / "calls.jsonl"
    forking.as_a_command(monkeypatch)

    def record(*entry):
        with log.open("a", encoding="utf-8") as fh:  # (one line a call: the child's and the run's)
            fh.write(json.dumps(entry) + "\n")

    on, rows, schema = validation._frictionless_on, validation._frictionless_rows, products.validate_json_schema

    def spy_on(header, n, keep, kept_rows, descriptor):
        record("file", n, keep.tolist())
        return on(header, n, keep, kept_rows, descriptor)

    def spy_rows(keep, kept_rows, descriptor):
        record("rows", keep.tolist())
        return rows(keep, kept_rows, descriptor)

    def spy_schema(doc, schema_):
        record("jsonschema", [f.get("properties", {}).get("id_local") for f in doc["features"]])
        return schema(doc, schema_)

    monkeypatch.setattr(validation, "_frictionless_on", spy_on)
    monkeypatch.setattr(validation, "_frictionless_rows", spy_rows)
    monkeypatch.setattr(products, "validate_json_schema", spy_schema)

    def read() -> list[list[object]]:
        found = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        return found

    return read


@pytest.fixture
def children(monkeypatch):
    pids: list[int] = []
    original = PassChild.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pids.append(1)

    monkeypatch.setattr(PassChild, "__init__", spy)
    return pids


def _reports(folder: Path) -> dict[str, object]:
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report.pop("generated", None)
    return report


def test_the_child_validates_a_water_layer_as_one_process(tmp_path, monkeypatch, calls, children):
    monkeypatch.setattr(validation, "SMALL_LAYER", 100)  # 1,300 points: the fast path, the layer's plan
    src = _fountains(tmp_path, 1_300)
    options = ThemeOptions(
        mapping=str(forking.WATER["mapping"]), fix=True, drop_invalid=True, area="34", chunk_rows=600
    )
    monkeypatch.setenv(PASS_SWITCH, "1")
    convert_theme(src, tmp_path / "two", "water", options, FORMATS)
    forked = calls()
    assert children == [1]  # three chunks of 600, 600, 100: the pass forked
    monkeypatch.setenv(PASS_SWITCH, "0")
    convert_theme(src, tmp_path / "one", "water", options, FORMATS)
    one = calls()
    assert children == [1]
    # frictionless reads a file once, for the layer's first chunk (its header, schema and dialect judged), then
    # only the rows the compiled checker flags and the later chunks' first lines and sample, as in one process
    assert [c[0] for c in one].count("file") == 1, one
    assert forked == one
    assert _reports(tmp_path / "two") == _reports(tmp_path / "one")
    for name in ("fontaines_points-eau.csv", "fontaines_points-eau.geojson", "fontaines_water.csv"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


def test_the_child_validates_a_hiking_layer_as_one_process(tmp_path, monkeypatch, calls, children):
    monkeypatch.setattr(validation, "SMALL_LAYER", 2)  # the 8 trails: the fast path, the layer's sample
    monkeypatch.setattr(validation, "PREFIX_FEATURES", 2)
    monkeypatch.setattr(validation, "SAMPLE_FEATURES", 3)
    path, options, _ = forking.SAMPLES["hiking"]
    opts = ThemeOptions(**options, chunk_rows=3)
    monkeypatch.setenv(PASS_SWITCH, "1")
    convert_theme(path, tmp_path / "two", "hiking", opts, FORMATS)
    forked = calls()
    assert children == [1]
    monkeypatch.setenv(PASS_SWITCH, "0")
    convert_theme(path, tmp_path / "one", "hiking", opts, FORMATS)
    one = calls()
    assert len(one) == 3  # one jsonschema call a chunk: the layer's first 2 and its sample of 3 spread over them
    assert sum(len(c[1]) for c in one) < 8 and forked == one  # type: ignore[arg-type]
    assert _reports(tmp_path / "two") == _reports(tmp_path / "one")


def test_keep_layer_state_puts_back_the_first_state_of_each_note():
    kept: dict[tuple[str, str], object] = {}
    first, copy = validation.TableLayer(1_000), validation.TableLayer(1_000)
    a = ThemeDataset(frames={}, notes={"main": {validation.TABLE_LAYER: first, "other": 1}})
    validation.keep_layer_state(a, kept)
    first.seen, first.judged = 600, True
    b = ThemeDataset(frames={}, notes={"main": {validation.TABLE_LAYER: copy, "other": 2}})
    validation.keep_layer_state(b, kept)
    assert b.notes["main"][validation.TABLE_LAYER] is first and b.notes["main"]["other"] == 2
    assert validation.streamed_layer(b) is first

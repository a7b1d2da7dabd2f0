"""The report's maps drawn by a forked child while a streamed run writes its formats (odl_geo.theme.report_maps):
the same report, PNG for PNG, as drawn by the run itself; a child that dies leaves the run to draw them; no child
where the memory bar or the switch says no."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import pytest

from odl_geo.reports import preview as preview_module
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import forked as forked_module
from odl_geo.theme.forked import ForkedTask
from odl_geo.theme.report_maps import ENV_SWITCH, LABEL
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")
MAPS_LABEL = LABEL


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)


@pytest.fixture
def labels(monkeypatch):
    """The labels of the children the run forks, recorded in the parent."""
    seen: list[str] = []
    original = ForkedTask._start

    def spy(self, work, label):  # type: ignore[no-untyped-def]
        original(self, work, label)
        seen.append(label)

    monkeypatch.setattr(ForkedTask, "_start", spy)
    return seen


@pytest.fixture
def pids(monkeypatch):
    """The pids of the maps' children, recorded in the parent."""
    seen: list[int] = []
    original = ForkedTask._start

    def spy(self, work, label):  # type: ignore[no-untyped-def]
        original(self, work, label)
        if label == LABEL:
            seen.append(self.pid)

    monkeypatch.setattr(ForkedTask, "_start", spy)
    return seen


def _run(theme: str, out: Path) -> None:
    from odl_geo.sources import ReadOptions

    src, options, read = forking.SAMPLES[theme]
    opts = ThemeOptions(**options, chunk_rows=7)
    convert_theme(src, out, theme, opts, FORMATS, ReadOptions(**read) if read else None)


def _maps(out: Path) -> list[str]:
    return re.findall(r'src="data:image/png;base64,([^"]+)"', (out / "report.html").read_text(encoding="utf-8"))


def _without_footer(out: Path) -> bytes:
    return re.sub(rb"<footer>.*?</footer>", b"", (out / "report.html").read_bytes(), flags=re.DOTALL)


@pytest.mark.parametrize("theme", ["water", "pei", "hiking"])
def test_maps_drawn_by_the_child_are_the_runs_own(theme, tmp_path, monkeypatch, labels):
    monkeypatch.setenv(ENV_SWITCH, "1")
    _run(theme, tmp_path / "aside")
    assert MAPS_LABEL in labels  # a child drew them
    monkeypatch.setenv(ENV_SWITCH, "0")
    labels.clear()
    _run(theme, tmp_path / "here")
    assert MAPS_LABEL not in labels
    maps = _maps(tmp_path / "aside")
    assert maps and maps[0].startswith("iVBOR")  # a PNG, base64
    assert maps == _maps(tmp_path / "here")  # byte for byte
    assert _without_footer(tmp_path / "aside") == _without_footer(tmp_path / "here")
    assert (tmp_path / "aside" / "report.json").read_bytes() == (tmp_path / "here" / "report.json").read_bytes()


def test_a_child_dying_without_a_word_leaves_the_run_to_draw_the_maps(tmp_path, monkeypatch, labels):
    parent = os.getpid()
    real = preview_module.preview_png

    def dies_in_the_child(frame, faulty, *args):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(9)
        return real(frame, faulty, *args)

    monkeypatch.setattr(preview_module, "preview_png", dies_in_the_child)  # what the child calls
    monkeypatch.setenv(ENV_SWITCH, "1")
    _run("water", tmp_path / "died")
    assert MAPS_LABEL in labels
    monkeypatch.setenv(ENV_SWITCH, "0")
    _run("water", tmp_path / "here")
    assert _maps(tmp_path / "died") and _maps(tmp_path / "died") == _maps(tmp_path / "here")


def test_no_child_past_the_memory_bar(tmp_path, monkeypatch, labels):
    monkeypatch.setenv(ENV_SWITCH, "1")
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", 1 << 20)  # no room for any child
    _run("water", tmp_path / "out")
    assert MAPS_LABEL not in labels
    assert _maps(tmp_path / "out")  # drawn by the run itself


def test_a_failure_of_the_run_stops_the_child_and_waits_for_it(tmp_path, monkeypatch, pids):
    from odl_geo.errors import OutputError
    from odl_geo.theme import outputs

    def full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OutputError("Cannot write the formats: disk full.", "Free some space.")

    monkeypatch.setattr(outputs, "_standard_formats", full_disk)
    monkeypatch.setenv(ENV_SWITCH, "1")
    with pytest.raises(OutputError, match="disk full"):
        _run("water", tmp_path / "out")
    assert len(pids) == 1
    with pytest.raises(ProcessLookupError):  # killed and waited for: no process, not even a zombie
        os.kill(pids[0], 0)


def test_no_child_when_no_layer_has_a_shape_to_draw(monkeypatch, labels):
    from types import SimpleNamespace

    import geopandas as gpd
    import pandas as pd
    import shapely

    from odl_geo.theme.report_maps import draw_maps_aside

    monkeypatch.setenv(ENV_SWITCH, "1")
    table = SimpleNamespace(frame=pd.DataFrame({"a": [1, 2]}), faulty=set(), feature_count=2)
    empty = SimpleNamespace(
        frame=gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point()], crs=4326), faulty=set(), feature_count=1
    )
    assert draw_maps_aside(SimpleNamespace(layers=[table, empty])) is None  # type: ignore[arg-type]
    assert labels == []
    points = SimpleNamespace(
        frame=gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(3, 43)], crs=4326), faulty={0}, feature_count=1
    )
    aside = draw_maps_aside(SimpleNamespace(layers=[table, points]))  # type: ignore[arg-type]
    assert aside is not None and labels == [LABEL]
    maps = aside.maps()
    assert maps is not None and maps[0] is None and maps[1] and maps[1].startswith("iVBOR")


@pytest.mark.parametrize("free", [True, False])
def test_by_default_a_child_only_when_a_second_core_is_free(free, monkeypatch, labels):
    from types import SimpleNamespace

    import geopandas as gpd
    import shapely

    from odl_geo.theme import pass_child
    from odl_geo.theme.report_maps import draw_maps_aside

    monkeypatch.delenv(ENV_SWITCH, raising=False)
    monkeypatch.setattr(pass_child, "second_core_free", lambda: free)
    points = SimpleNamespace(
        frame=gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(3, 43)], crs=4326), faulty=set(), feature_count=1
    )
    aside = draw_maps_aside(SimpleNamespace(layers=[points]))  # type: ignore[arg-type]
    assert (aside is not None) is free and labels == ([LABEL] if free else [])
    if aside is not None:
        assert aside.maps() is not None

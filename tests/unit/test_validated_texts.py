"""Issue 16, fifth round: a streamed chunk's CSV product (water, PEI) takes the text its validation built
(:class:`odl_geo.profiles.validation.ValidatedTexts`) instead of building it again from the frame.

The bytes must be those of the per-feature writers (the reference of ``test_product_sinks``) whatever the frame
holds: each chunk is validated as a streamed run validates it (a :class:`TableLayer` in the chunk's notes, the
layer declared small, so frictionless reads every row, or large, so the compiled checker's fast path runs), then
written by the sink, on the bundled samples, fuzzed frames, awkward columns and chunks that lost rows to
``--drop-invalid``; and a frame that is not the one validated is written from the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings

from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.product_sinks import VALIDATED_TEXTS, CsvProduct, StreamedProducts
from odl_geo.profiles.registry import load_profile
from odl_geo.profiles.validation import TABLE_LAYER, TableLayer, ValidatedTexts, kept_rows_check
from odl_geo.report import Report
from odl_geo.theme.run import ThemeOptions, check_theme
from tests.unit.test_product_sinks import ROOT, SAMPLES, _awkward_column, _bytes, frames, old_products

if TYPE_CHECKING:
    from pathlib import Path


def _csv_header(profile: Any, out: Path) -> list[str]:
    sink = profile.open_products(out, Report())
    assert isinstance(sink, StreamedProducts)
    (csv,) = [f for f in sink.files if isinstance(f, CsvProduct)]
    return csv.header


def validated_products(theme: str, frame: gpd.GeoDataFrame, out: Path, size: int, declared: int) -> dict[str, bytes]:
    """The products of ``frame`` written in chunks of ``size`` rows, each validated first as a streamed run
    validates it (its layer declared ``declared`` rows), the CSV taking the validation's text."""
    profile = load_profile(theme)
    out.mkdir(parents=True)
    header = _csv_header(profile, out.parent)
    sink = profile.open_products(out, Report())
    layer = TableLayer(declared)
    for start in range(0, max(len(frame), 1), size):
        part = frame.iloc[start : start + size].reset_index(drop=True)
        chunk = ThemeDataset(frames={"main": part}, source_names={"main": "fuzz ?é"},
                             notes={"main": {TABLE_LAYER: layer}})  # fmt: skip
        profile.validate_table(chunk, Report())
        texts = chunk.notes["main"][VALIDATED_TEXTS]
        assert isinstance(texts, ValidatedTexts) and texts.frame is part
        assert texts.csv_cells(header, 0, len(part)) is not None  # the sink takes them
        sink.write(chunk)
        assert VALIDATED_TEXTS not in chunk.notes["main"]  # taken: not held past the write
    sink.close()
    return _bytes(out)


def reference(theme: str, frame: gpd.GeoDataFrame, out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True)
    old_products(theme, ThemeDataset(frames={"main": frame}, source_names={"main": "fuzz ?é"}), out)
    return _bytes(out)


@pytest.mark.parametrize("theme", ["water", "pei"])
@pytest.mark.parametrize("declared", [10, 1_000_000])
def test_samples(theme: str, declared: int, tmp_path: Path) -> None:
    source, mapping = SAMPLES[theme][0]
    run = check_theme(ROOT / source, theme, ThemeOptions(mapping=ROOT / mapping if mapping else None, fix=True))
    assert run.dataset is not None
    frame = run.dataset.frames["main"]
    expected = reference(theme, frame, tmp_path / "old")
    for size in (7, 64, 100_000):
        assert validated_products(theme, frame, tmp_path / f"v{size}", size, declared) == expected, size


@pytest.mark.parametrize("theme", ["water", "pei"])
def test_fuzzed_frames(theme: str, tmp_path: Path) -> None:
    case = [0]

    @settings(max_examples=50, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(frames(theme))
    def check(frame: gpd.GeoDataFrame) -> None:
        case[0] += 1
        out = tmp_path / str(case[0])
        expected = reference(theme, frame.reset_index(drop=True), out / "old")
        assert validated_products(theme, frame, out / "small", 7, 10) == expected
        assert validated_products(theme, frame, out / "large", 5, 1_000_000) == expected

    check()


def _awkward_frame(theme: str, n: int) -> gpd.GeoDataFrame:
    fields = load_profile(theme).roles[0].fields
    rng = np.random.default_rng(7)
    floats = [0.0, -0.0, np.nan, 1.5, -2.0, 1e16, 43.6109, -3.8767, -1e-7, 700000.25, float("-inf"), float("inf")]
    columns: dict[str, Any] = {}
    for j, f in enumerate(fields):
        style = j % 4
        if style == 0:
            columns[f.name] = pd.Series(_awkward_column(rng, n, distinct=False), dtype=object)
        elif style == 1:
            columns[f.name] = pd.Series(_awkward_column(rng, n, distinct=True), dtype=object)
        elif style == 2:
            columns[f.name] = pd.Series([floats[i % len(floats)] for i in range(n)], dtype=float)
        else:
            columns[f.name] = pd.Series([None if i % 3 else 2**40 + i for i in range(n)], dtype=object)
    xy = rng.uniform([-5.0, 41.0], [9.0, 51.0], (n, 2))
    if theme == "pei":
        xy = rng.uniform([100_000, 6_000_000], [1_200_000, 7_100_000], (n, 2))
    geoms = [shapely.Point(x, y) for x, y in xy]
    geoms[3] = None
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=2154 if theme == "pei" else 4326)


@pytest.mark.parametrize("theme", ["water", "pei"])
def test_awkward_columns(theme: str, tmp_path: Path) -> None:
    """Quotes, commas, line breaks, formula starts (neutralised then quoted), signed zeros, infinities, NaN."""
    frame = _awkward_frame(theme, 400)
    expected = reference(theme, frame, tmp_path / "old")
    for size, declared in ((400, 10), (400, 1_000_000), (33, 1_000_000)):
        assert validated_products(theme, frame, tmp_path / f"{size}-{declared}", size, declared) == expected


@pytest.mark.parametrize("theme", ["water", "pei"])
def test_rows_left_out(theme: str, tmp_path: Path) -> None:
    """A chunk validated again after rows were left out (``--drop-invalid``): the CSV takes the kept rows' text."""
    frame = _awkward_frame(theme, 300)
    keep = np.ones(len(frame), dtype=bool)
    keep[[0, 5, 17, 150, 299]] = False
    kept = frame[keep].reset_index(drop=True)
    expected = reference(theme, kept, tmp_path / "old")
    profile = load_profile(theme)
    out = tmp_path / "new"
    out.mkdir()
    chunk = ThemeDataset(frames={"main": frame}, source_names={"main": "fuzz ?é"},
                         notes={"main": {TABLE_LAYER: TableLayer(1_000_000)}})  # fmt: skip
    earlier = profile.validate_table(chunk, Report())
    chunk.frames["main"] = kept
    profile.validate_table(chunk, Report(), earlier, keep)
    texts = chunk.notes["main"][VALIDATED_TEXTS]
    assert texts.frame is kept and texts.table.n == len(kept)
    assert kept_rows_check(earlier, keep, kept) is not None
    sink = profile.open_products(out, Report())
    sink.write(chunk)
    sink.close()
    assert _bytes(out) == expected


@pytest.mark.parametrize("theme", ["water", "pei"])
def test_another_frame_is_written_from_the_frame(theme: str, tmp_path: Path) -> None:
    """The text validated stands only for the very frame validated: a frame put in its place after (another
    object, here with a cell changed) is written from its own cells."""
    frame = _awkward_frame(theme, 50)
    chunk = ThemeDataset(frames={"main": frame}, source_names={"main": "fuzz ?é"},
                         notes={"main": {TABLE_LAYER: TableLayer(1_000_000)}})  # fmt: skip
    load_profile(theme).validate_table(chunk, Report())
    other = frame.copy()
    name = load_profile(theme).roles[0].fields[0].name
    other[name] = pd.Series(["changed, after"] * len(other), dtype=object)
    chunk.frames["main"] = other
    out = tmp_path / "new"
    out.mkdir()
    sink = load_profile(theme).open_products(out, Report())
    sink.write(chunk)
    sink.close()
    assert _bytes(out) == reference(theme, other, tmp_path / "old")


@pytest.mark.parametrize("theme", ["water", "pei"])
@pytest.mark.parametrize("batch", [3, 10_000])
def test_the_geojson_takes_the_distinct_strings_validation_found(
    theme: str, batch: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The products' text columns' distinct strings are those the validation of the same frame found (one search
    a chunk, not two), taken for each batch of the chunk (several batches a chunk: their codes among the chunk's
    strings, or the rows themselves); the bytes are the per-feature writers'."""
    from odl_geo.profiles import product_sinks, product_text

    frame = _awkward_frame(theme, 120)
    expected = reference(theme, frame, tmp_path / "old")
    real = product_text._text_column
    found: list[tuple[str, int]] = []

    def spy(series: pd.Series, strings: str | None = None) -> Any:
        distinct = real(series, strings)
        if distinct is not None:
            found.append((str(series.name), len(series)))
        return distinct

    monkeypatch.setattr(product_text, "_text_column", spy)
    monkeypatch.setattr(product_sinks, "BATCH", batch)
    assert validated_products(theme, frame, tmp_path / "new", 50, 1_000_000) == expected
    # the text columns the validation searched (once a chunk: 50, 50, 20 rows) are not searched by the products'
    # batches again (they search those the validation does not: booleans, a batch's all-None column)
    validated = {name for name, n in found if n in (50, 20)}
    assert len(validated) >= 4
    assert sorted(n for name, n in found if name in validated) == sorted([50, 50, 20] * len(validated))


# -- hiking: the GeoJSON product takes the lines its validation rounded to the grid -----------------------------


def hiking_products(
    frame: gpd.GeoDataFrame, out: Path, size: int, drop: int = 0, stashed: bool = True
) -> dict[str, bytes]:
    """The hiking GeoJSON of ``frame`` in chunks of ``size`` features, each validated first as a streamed run
    validates it (a large layer: the compiled checker rounds the lines); with ``drop``, every ``drop``-th feature
    of a chunk is left out after its validation and the chunk validated again, as ``--drop-invalid`` does.
    ``stashed``: assert what the validation stashed for the product (not for fuzzed chunks: they may hold no
    line)."""
    from odl_geo.profiles.hiking import VALIDATION_STATE
    from odl_geo.profiles.product_sinks import ROUNDED_LINES
    from odl_geo.profiles.validation import LayerSample

    profile = load_profile("hiking")
    out.mkdir(parents=True)
    sink = profile.open_products(out, Report())
    layer = LayerSample(1_000_000)
    for start in range(0, max(len(frame), 1), size):
        part = frame.iloc[start : start + size].reset_index(drop=True)
        chunk = ThemeDataset(frames={"main": part}, source_names={"main": "fuzz ?é"},
                             notes={"main": {VALIDATION_STATE: layer}})  # fmt: skip
        earlier = profile.validate_table(chunk, Report())
        if drop and len(part):
            keep = np.arange(len(part)) % drop != 0
            part = part[keep].reset_index(drop=True)
            chunk.frames["main"] = part
            profile.validate_table(chunk, Report(), earlier, keep)
        if stashed and len(part):
            lines = chunk.notes["main"][ROUNDED_LINES]
            assert lines[0] is part and len(lines[1]) == len(part)
            assert lines[1][0] is not None  # the sample's trails are lines: rounded by the validation
        sink.write(chunk)
        if stashed:
            assert ROUNDED_LINES not in chunk.notes["main"]
    sink.close()
    return _bytes(out)


def test_hiking_lines_rounded_once(tmp_path: Path) -> None:
    source, _ = SAMPLES["hiking"][0]
    run = check_theme(ROOT / source, "hiking", ThemeOptions(fix=True))
    assert run.dataset is not None
    frame = run.dataset.frames["main"]
    expected = reference("hiking", frame, tmp_path / "old")
    for size in (1, 3, 100):
        assert hiking_products(frame, tmp_path / f"v{size}", size) == expected, size
    keep = np.arange(len(frame)) % 3 != 0
    kept = frame[keep].reset_index(drop=True)
    assert hiking_products(frame, tmp_path / "drop", len(frame), drop=3) == reference("hiking", kept, tmp_path / "o2")


def test_hiking_fuzzed_lines(tmp_path: Path) -> None:
    """Lines of any coordinates (NaN, huge, tiny, repeated points), missing, empty and other geometries."""
    case = [0]

    @settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(frames("hiking"))
    def check(frame: gpd.GeoDataFrame) -> None:
        case[0] += 1
        out = tmp_path / str(case[0])
        frame = frame.reset_index(drop=True)
        expected = reference("hiking", frame, out / "old")
        layer_products = hiking_products(frame, out / "new", 5, stashed=False)
        assert layer_products == expected

    check()

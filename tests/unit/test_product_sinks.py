"""Issue 16: the products of water, PEI and hiking are written chunk by chunk, column-wise
(:mod:`odl_geo.profiles.product_sinks`, :mod:`.product_text`), with the very bytes the per-feature writers gave for
the whole layer.

The reference below is a copy of those writers as they were (a dict per feature dumped by ``json``, a list per CSV
row through :func:`odl_geo.csvsafe.neutralise_csv_row` and Python's csv writer). Each profile's products are
written the old way and through the sink fed in chunks of 1, 7 and 1000 rows (and by ``write_products``, the
whole layer as one chunk), on the bundled samples and on fuzzed frames, and the files must be equal byte for byte,
with the same feature counts and bounding boxes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from itertools import pairwise
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odl_geo.csvsafe import neutralise_csv_row
from odl_geo.exports.base import OutputFile
from odl_geo.naming import safe_file_stem
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.products import lonlat
from odl_geo.profiles.registry import load_profile
from odl_geo.profiles.schemas import load_schema
from odl_geo.report import Report
from odl_geo.theme.run import ThemeOptions, check_theme

ROOT = Path(__file__).resolve().parents[2]

# -- the old writers (reference) -------------------------------------------------------------------------------


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _geometry(geom: Any) -> dict[str, Any] | None:
    if geom is None or shapely.is_missing(geom) or shapely.is_empty(geom):
        return None
    rounded = shapely.set_precision(geom, 10**-7) if geom.geom_type != "Point" else geom
    mapping: dict[str, Any] = json.loads(shapely.to_geojson(rounded))
    if geom.geom_type == "Point":
        mapping["coordinates"] = [round(c, 7) for c in mapping["coordinates"]]
    return mapping


def old_geojson(frame: gpd.GeoDataFrame, fields: list, path: Path) -> None:
    names = [f.name for f in fields]
    omit = {f.name for f in fields if f.enum is not None and not f.required}
    records = frame[names].astype(object).where(frame[names].notna(), None).to_dict("records")
    features = []
    for rec, geom in zip(records, frame.geometry, strict=True):
        props = {k: _json_value(v) for k, v in rec.items() if not (v is None and k in omit)}
        features.append({"type": "Feature", "properties": props, "geometry": _geometry(geom)})
    with path.open("w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


def _csv_text(v: Any, kind: str, true_false: tuple[str, str]) -> str:
    v = _json_value(v)
    if v is None:
        return ""
    if kind == "boolean":
        return true_false[0] if v else true_false[1]
    if isinstance(v, float) and v.is_integer() and kind in ("number", "integer"):
        return str(int(v))
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _csv_column(series: pd.Series, kind: str, true_false: tuple[str, str]) -> list[str]:
    """The old writer computed the text once per ``pandas.factorize`` group, so equal values of different types
    (``1``, ``1.0``, ``True``; ``0.0`` and ``-0.0``) took the text of the first one met, which depended on the
    rows around (on the chunk): value by value is what it meant, and what the sinks write."""
    return [_csv_text(v, kind, true_false) for v in series.to_numpy(dtype=object)]


def old_csv(frame, fields, path: Path, extra=None, true_false=("true", "false")) -> None:
    names = [f.name for f in fields]
    extra = extra or {}
    header = names + [n for n in extra if n not in names]
    cols = [_csv_column(frame[f.name], f.kind, true_false) for f in fields]
    rows = [list(r) for r in zip(*cols, strict=True)] if cols else [[] for _ in range(len(frame))]
    for name, values in extra.items():
        texts = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v)) for v in values]
        if name in names:
            for row, text in zip(rows, texts, strict=True):
                row[names.index(name)] = text
        else:
            for row, text in zip(rows, texts, strict=True):
                row.append(text)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(neutralise_csv_row(header))
        writer.writerows(neutralise_csv_row(r) for r in rows)


def old_output_file(path: Path, fmt, layer, crs, frame, geometry_type) -> OutputFile:
    bbox = None
    valid = frame.geometry[~frame.geometry.isna()] if len(frame) else frame.geometry
    if len(valid) and crs:
        bbox = [round(float(v), 7) for v in valid.total_bounds]
    return OutputFile(path.name, fmt, layer, crs, len(frame), geometry_type, bbox)


def old_products(theme: str, dataset: ThemeDataset, out: Path) -> list[OutputFile]:
    """What ``write_products`` of each profile wrote before the sinks."""
    frame, name = dataset.frames["main"], dataset.product_name("main")
    layer = safe_file_stem(name)
    fields = list(load_profile(theme).roles[0].fields)
    if theme == "water":
        gj, table = out / f"{layer}_points-eau.geojson", out / f"{layer}_points-eau.csv"
        old_geojson(frame, fields, gj)
        lon, lat = lonlat(frame)
        old_csv(frame, fields, table, {"lon": lon, "lat": lat})
        return [
            old_output_file(gj, "geojson", name, "EPSG:4326", frame, "Point"),
            old_output_file(table, "csv", name, "EPSG:4326", frame, None),
        ]
    if theme == "pei":
        fmt = next(f for f in load_schema("point-eau-incendie.schema.json")["fields"] if f["name"] == "disponible")
        table = out / f"{layer}_pei.csv"
        old_csv(frame, fields, table, true_false=(fmt["trueValues"][0], fmt["falseValues"][0]))
        return [old_output_file(table, "csv", name, "EPSG:2154", frame, None)]
    gj = out / f"{layer}_itineraire-randonnee.geojson"
    old_geojson(frame, fields, gj)
    return [old_output_file(gj, "geojson", name, "EPSG:4326", frame, "LineString")]


# -- comparison ------------------------------------------------------------------------------------------------


def _bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _described(files: list[OutputFile]) -> list[tuple]:
    return [(f.path, f.format, f.layer, f.crs, f.feature_count, f.geometry_type, repr(f.bbox)) for f in files]


def assert_same_products(theme: str, dataset: ThemeDataset, tmp: Path, chunks=(1, 7, 1000)) -> dict[str, bytes]:
    """The old writers, ``write_products`` and the sink in chunks of each size give the same files."""
    if tmp.exists():
        shutil.rmtree(tmp)
    ref_dir = tmp / "old"
    ref_dir.mkdir(parents=True)
    expected_files = old_products(theme, dataset, ref_dir)
    expected = _bytes(ref_dir)
    profile = load_profile(theme)
    whole = tmp / "whole"
    whole.mkdir()
    files = profile.write_products(dataset, whole, Report())
    assert _bytes(whole) == expected
    assert _described(files) == _described(expected_files)
    frame = dataset.frames["main"]
    for size in chunks:
        out = tmp / f"chunks-{size}"
        out.mkdir()
        sink = profile.open_products(out, Report())
        for start in range(0, max(len(frame), 1), size):
            part = frame.iloc[start : start + size]
            sink.write(ThemeDataset(frames={"main": part}, source_names=dataset.source_names,
                                    product_names=dataset.product_names))  # fmt: skip
        assert _described(sink.close()) == _described(expected_files), size
        assert _bytes(out) == expected, size
    return expected


# -- the bundled samples ---------------------------------------------------------------------------------------

SAMPLES = {
    "water": [("examples/water/VilleMTP_MTP_Fontaines.csv", "examples/water/fontaines.toml")],
    "pei": [("tests/data/pei/pei_generated_occitanie.csv", None)],
    "hiking": [
        ("examples/hiking/cevennes_itineraires.json", None),
        ("tests/data/geotrek/geotrek_treks.geojson", None),
        ("/work/shared/data/hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", None),
    ],
}
SHARED_WATER = Path("/work/shared/data/water/montpellier_bornes_fontaines")


def _sample_cases() -> list[tuple[str, str, str | None]]:
    cases = [(theme, src, mapping) for theme, items in SAMPLES.items() for src, mapping in items]
    cases += [("water", str(SHARED_WATER / name), "examples/water/fontaines.toml")
              for name in ("VilleMTP_MTP_Fontaines.geojson", "VilleMTP_MTP_Fontaines.kml")]  # fmt: skip
    return cases


@pytest.mark.parametrize(("theme", "source", "mapping"), _sample_cases())
def test_samples_give_the_same_bytes(theme: str, source: str, mapping: str | None, tmp_path: Path) -> None:
    src = Path(source) if Path(source).is_absolute() else ROOT / source
    copy = tmp_path / "src" / src.name
    copy.parent.mkdir()
    shutil.copy(src, copy)
    run = check_theme(copy, theme, ThemeOptions(mapping=ROOT / mapping if mapping else None, fix=True))
    assert run.dataset is not None
    frame = run.dataset.frames["main"]
    assert len(frame) > 0
    files = assert_same_products(theme, run.dataset, tmp_path / "out")
    assert all(len(b) > 100 for b in files.values())


@pytest.mark.parametrize("theme", ["water", "hiking"])
def test_batch_seams_give_the_same_bytes(theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Features are encoded BATCH at a time and trails LINE_COORDS coordinates at a time: tiny batches give the
    same bytes (the bundled samples, whose trails have hundreds of points)."""
    from odl_geo.profiles import product_sinks, product_text

    monkeypatch.setattr(product_sinks, "BATCH", 3)
    monkeypatch.setattr(product_text, "LINE_COORDS", 50)
    source, mapping = SAMPLES[theme][0]
    run = check_theme(ROOT / source, theme, ThemeOptions(mapping=ROOT / mapping if mapping else None))
    assert run.dataset is not None
    assert_same_products(theme, run.dataset, tmp_path, chunks=(5,))


@pytest.mark.parametrize("coords", [1, 400, 1000])
def test_batches_cut_by_coordinates_give_the_same_bytes(
    coords: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sink encodes at most BATCH_COORDS coordinates at a time (heavy trails): one trail a batch, or a few, give
    the same bytes as the old writer, and every batch holds what the budget allows (at least one trail)."""
    from odl_geo.profiles import product_sinks

    monkeypatch.setattr(product_sinks, "BATCH_COORDS", coords)
    source, _ = SAMPLES["hiking"][0]
    run = check_theme(ROOT / source, "hiking", ThemeOptions())
    assert run.dataset is not None
    frame = run.dataset.frames["main"]
    sizes = shapely.get_num_coordinates(np.asarray(frame.geometry.values, dtype=object))
    batches = list(product_sinks._batches(frame))
    assert batches[0][0] == 0 and batches[-1][1] == len(frame)
    assert all(a[1] == b[0] for a, b in pairwise(batches))
    assert all(stop - start == 1 or sizes[start:stop].sum() <= coords for start, stop in batches)
    assert len(batches) > 1 or coords >= sizes.sum()
    assert_same_products("hiking", run.dataset, tmp_path, chunks=(1000,))


@pytest.mark.parametrize("theme", ["water", "pei", "hiking"])
def test_an_empty_layer_gives_the_old_files(theme: str, tmp_path: Path) -> None:
    fields = load_profile(theme).roles[0].fields
    frame = gpd.GeoDataFrame({f.name: pd.Series([], dtype=object) for f in fields}, geometry=[], crs=4326)
    dataset = ThemeDataset(frames={"main": frame}, source_names={"main": "vide"})
    files = assert_same_products(theme, dataset, tmp_path)
    assert any(b.startswith(b'{"type":"FeatureCollection","features":[]}') or b.count(b"\n") == 1
               for b in files.values())  # fmt: skip


def test_odd_cells_of_a_text_column(tmp_path: Path) -> None:
    """Bytes (a binary field), NaN, pd.NA and NaT among the texts of a column are written as the old writer wrote
    them (``str`` of the value in the CSV), not taken for text or for empty cells."""
    fields = load_profile("pei").roles[0].fields
    odd = [b"abc", "x", None, float("nan"), pd.NA, pd.NaT, "=1+1", 'a"b', "y"]
    columns = {f.name: pd.Series(odd if f.kind == "string" else [None] * len(odd), dtype=object) for f in fields}
    frame = gpd.GeoDataFrame(columns, geometry=[shapely.Point(700000, 6300000)] * len(odd), crs=2154)
    files = assert_same_products("pei", ThemeDataset(frames={"main": frame}, source_names={"main": "pei"}), tmp_path)
    text = next(iter(files.values())).decode()
    assert "b'abc'" in text and "<NA>" in text and "NaT" in text and "'=1+1" in text


def test_an_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    from odl_geo.errors import OutputError

    frame = gpd.GeoDataFrame({"id_local": ["1"]}, geometry=[shapely.Point(3.8, 43.6)], crs=4326)
    sink = load_profile("water").open_products(tmp_path / "missing", Report())
    with pytest.raises(OutputError, match=r"Cannot write .*missing.*points-eau"):
        sink.write(ThemeDataset(frames={"main": frame}, source_names={"main": "fontaines"}))


def test_rounding_is_pythons_even_near_halves() -> None:
    """Point coordinates are rounded column-wise as Python's correctly rounded ``round`` does, also for values
    within an ulp of a half at the 7th decimal (where numpy's scale-and-round may differ)."""
    from odl_geo.profiles.product_numbers import round_like_python

    rng = np.random.default_rng(7)
    halves = (rng.integers(-1_800_000_000, 1_800_000_000, 200_000) + 0.5) / 1e7
    values = np.concatenate([
        halves, np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf), rng.uniform(-180, 180, 200_000),
        rng.normal(0, 1e-7, 10_000), 10.0 ** rng.uniform(-320, 300, 10_000), [0.0, -0.0, 5e-324, 1e300, -1e17],
    ])  # fmt: skip
    expected = [round(v, 7) for v in values.tolist()]
    got = round_like_python(values).tolist()
    assert [repr(v) for v in got] == [repr(v) for v in expected]


def test_float_texts_are_reprs() -> None:
    """Floats are written from integers when they lie on the 10⁻⁷ grid: the text is still ``repr``'s."""
    from odl_geo.profiles.product_numbers import reprs

    rng = np.random.default_rng(11)
    grid = rng.integers(-(10**15), 10**15, 100_000) / 1e7
    values = np.concatenate([
        grid, np.round(rng.uniform(-180, 180, 100_000), 7), np.round(rng.uniform(0, 7e6, 50_000), 2),
        rng.uniform(-1e9, 1e9, 50_000), np.nextafter(grid[:20_000], np.inf), 10.0 ** rng.uniform(-320, 308, 20_000),
        [0.0, -0.0, 1e-4, 9.999999e-5, 0.0001001, 1e-7, -1e-7, 99999999.9999999, 1e8, 123.0, -5.5, 2.0**62, 1e16,
         np.nan, np.inf, -np.inf, 5e-324],
    ])  # fmt: skip
    assert reprs(values).to_pylist() == [repr(v) for v in values.tolist()]


def test_coordinate_cells_are_neutralised_and_quoted_as_any_cell() -> None:
    """The CSV coordinate columns skip the per-cell formula and quoting checks: what they give is what those
    checks (neutralise_csv_row, then Python's csv writer) give for every float, infinities and NaN included."""
    from odl_geo.profiles.product_text import _float_cells

    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 100, 5000), -(10.0 ** rng.uniform(-320, 308, 5000)),
                             [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e16, -1e-5, 5e-324]])  # fmt: skip
    rows = [["" if math.isnan(v) else repr(float(v)), "x"] for v in values.tolist()]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(neutralise_csv_row(r) for r in rows)
    assert "".join(f"{cell},x\n" for cell in _float_cells(values).to_pylist()) == buf.getvalue()


# -- fuzzed frames ---------------------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
STARTS = ["=", "+", "-", "@", " =", "\n-", "\t", "\r", "\uff1d", "-1", "+3", "-inf"]
FORMULA = st.builds(lambda a, b: a + b, st.sampled_from(STARTS), TEXT)
FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e300, 5e-324, 1e16]))
VALUE = st.one_of(
    st.none(), TEXT, FORMULA, FLOAT, st.integers(-(10**20), 10**20), st.booleans(),
    st.sampled_from(['"', '","', "a\nb", "a\rb", "é\"ç", "pédestre", "VTT", "PI", "01", "2024-01-31", "true"]),
    st.lists(st.one_of(st.integers(), TEXT), max_size=2),
)  # fmt: skip
COORD = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def geometries(draw: Any, line: bool) -> Any:
    kind = draw(st.sampled_from(["none", "empty", "main", "main", "main", "other"]))
    if kind == "none":
        return None
    if kind == "empty":
        return shapely.LineString() if line else shapely.Point()
    if kind == "other":
        pts = draw(st.lists(st.tuples(COORD, COORD), min_size=3, max_size=5))
        return draw(st.sampled_from([shapely.MultiPoint(pts), shapely.Polygon([*pts, pts[0]]).buffer(0),
                                     shapely.LineString(pts), shapely.Point(pts[0])]))  # fmt: skip
    if line:
        return shapely.LineString(draw(st.lists(st.tuples(COORD, COORD), min_size=2, max_size=6)))
    scale = draw(st.sampled_from([1e-6, 1.0, 180.0, 1e6]))
    x, y = draw(st.tuples(COORD, COORD))
    return shapely.Point(x * scale / 1e9, y * scale / 1e9) if scale != 1.0 else shapely.Point(x, y)


@st.composite
def frames(draw: Any, theme: str) -> gpd.GeoDataFrame:
    fields = load_profile(theme).roles[0].fields
    n = draw(st.integers(0, 14))
    data: dict[str, Any] = {}
    for f in fields:
        style = draw(st.sampled_from(["mixed", "text", "float", "enum"]))
        if style == "float":
            data[f.name] = pd.Series(draw(st.lists(FLOAT, min_size=n, max_size=n)), dtype=float)
        elif style == "enum" and f.enum:
            data[f.name] = draw(st.lists(st.one_of(st.none(), st.sampled_from(f.enum)), min_size=n, max_size=n))
        elif style == "text":
            data[f.name] = draw(st.lists(st.one_of(st.none(), TEXT, FORMULA), min_size=n, max_size=n))
        else:
            data[f.name] = draw(st.lists(VALUE, min_size=n, max_size=n))
    geoms = draw(st.lists(geometries(theme == "hiking"), min_size=n, max_size=n))
    crs = None if theme == "pei" and draw(st.booleans()) else (2154 if theme == "pei" else 4326)
    return gpd.GeoDataFrame({k: pd.Series(v, dtype=object) if isinstance(v, list) else v for k, v in data.items()},
                            geometry=gpd.GeoSeries(geoms, dtype="geometry"), crs=crs)  # fmt: skip


@pytest.mark.parametrize("theme", ["water", "pei", "hiking"])
def test_fuzzed_frames_give_the_same_bytes(theme: str, tmp_path: Path) -> None:
    @settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(frames(theme))
    def check(frame: gpd.GeoDataFrame) -> None:
        dataset = ThemeDataset(frames={"main": frame}, source_names={"main": "fuzz ?é"})
        assert_same_products(theme, dataset, tmp_path / "case", chunks=(1, 7))

    check()


# -- the column-wise texts against the per-value functions (round 4: texts by Arrow, floats trimmed rows) --------


def test_float_texts_are_reprs_for_any_double() -> None:
    """``reprs`` writes any double as ``repr`` does: random bit patterns (every exponent, NaN and infinities among
    them), the 10⁻⁷ grid with every count of whole digits and decimals and both signs (the sign sits before the
    first digit, in the word before when the whole part has 4 or 8 digits), and the edges of the grid."""
    from odl_geo.profiles.product_numbers import reprs

    rng = np.random.default_rng(2026)
    bits = rng.integers(0, 2**64, 200_000, dtype=np.uint64).view(np.float64)
    digits = rng.integers(0, 9, 100_000)
    grid = rng.integers(0, 10**15, 100_000) % (10 ** (digits + 7)) / 1e7 * rng.choice([-1.0, 1.0], 100_000)
    decimals = rng.integers(-(10**8), 10**8, 100_000) / 10.0 ** rng.integers(0, 8, 100_000)
    edges = [0.0, -0.0, 1e-7, -1e-7, 1e-4, -1e-4, 9.999999e-5, 1.0000001e-4, 1e8, -1e8, 99999999.9999999,
             -99999999.9999999, 10000000.5, -10000000.5, 9999.9999999, -9999.9999999, 1000.0, -1000.0, -1234.5,
             0.1, -0.1, 0.5, 123456789.0, 1e16, -1e22, 1e300, 5e-324, -5e-324, 2.0**62, 0.30000000000000004,
             1.2345678901234567e-300, -1.2345678901234567e-300, math.pi, -math.e, float("nan"), float("inf"),
             -float("inf")]  # fmt: skip
    values = np.concatenate([bits, grid, decimals, np.nextafter(grid[:20_000], np.inf), edges])
    assert reprs(values).to_pylist() == [repr(v) for v in values.tolist()]
    assert reprs(np.array([], dtype=float)).to_pylist() == []


AWKWARD = ["", " ", "a", "é", "日本語", "😀", '"', "'", "\\", '\\"', ",", '","', "a,b", "a\nb", "a\rb", "\r\n", "\t",
           "\x00", "0", "0\x00", "\x01\x1f", "\x7f", "\u2028\u2029", "\ufeff", "=1+1", "+33 4 67", "-5.2", "-",
           "@x", " =x", "\n-x", "\uff1dx", "\uff0b1", "\uff0d", "\uff20a", "-inf", "1e5", "=HYPERLINK(\"a\";\"b\")",
           "2024-01-31", "31/01/2024", "true", "null", "<p>x</p>", "a\u00a0b", "x" * 300]  # fmt: skip


def _awkward_column(rng: np.random.Generator, n: int, distinct: bool) -> list[str | None]:
    if distinct:  # mostly distinct values (an identifier): the column taken as it is
        return [None if i % 17 == 0 else f"{AWKWARD[i % len(AWKWARD)]}{i}" for i in range(n)]
    return [None if rng.random() < 0.1 else AWKWARD[rng.integers(len(AWKWARD))] for _ in range(n)]


@pytest.mark.parametrize("n", [1, 2, 60, 2000])
def test_text_columns_match_the_per_value_texts(n: int) -> None:
    """The texts of a batch's text columns, made by Arrow over their distinct strings (one pool for all), are
    ``"key":json.dumps(s)`` and the CSV cell of each value (``_csv_cell(csv_text(s))``), with awkward strings
    (quotes, backslashes, control characters, NUL, line breaks, commas, formula starts, unicode) in columns of
    repeated values and of distinct ones, None among them."""
    from odl_geo.profiles.product_text import Shared, _csv_cell, _csv_pool, _json_pool, csv_text

    rng = np.random.default_rng(n)
    data = {f"c{j}": _awkward_column(rng, n, distinct=j % 2 == 1) for j in range(6)}
    data["empty"] = [None] * n
    frame = gpd.GeoDataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()},
                             geometry=[shapely.Point(1, 2)] * n, crs=4326)  # fmt: skip
    names = list(data)
    pool = Shared(frame).pool(names)
    assert pool is not None and pool.names == names
    keys = [f',"{name}":' for name in names]
    missing = [None if j % 3 == 0 else keys[j] + "null" for j in range(len(names))]
    json_texts, cells = _json_pool(pool, keys, missing), _csv_pool(pool)
    for j, name in enumerate(names):
        expected = [missing[j] if v is None else keys[j] + json.dumps(v, ensure_ascii=False) for v in data[name]]
        assert json_texts[name].to_pylist() == expected, name
        assert cells[name].to_pylist() == [_csv_cell(csv_text(v, "string", ("t", "f"))) for v in data[name]], name


def test_csv_doubt_pattern_is_the_python_test() -> None:
    """The strings whose CSV cell Arrow hands back to :func:`_csv_cell` (RE2 pattern) are exactly those for which
    that function may change anything: a first character it may neutralise, or a character that may need quotes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from odl_geo.profiles.product_text import _CSV_DOUBT, _CSV_SPECIAL, _FORMULA_FIRST, _JSON_ESCAPED, _csv_cell

    rng = np.random.default_rng(5)
    alphabet = [*_FORMULA_FIRST, ",", '"', "\n", "\r", "a", "é", "0", "'", " ", "\x00", "\x1f", "\\", "\u2028"]
    texts = ["".join(rng.choice(alphabet, rng.integers(0, 4))) for _ in range(20_000)] + AWKWARD
    doubt = pc.match_substring_regex(pa.array(texts), _CSV_DOUBT).to_pylist()
    assert doubt == [t[:1] in _FORMULA_FIRST or bool(_CSV_SPECIAL(t)) for t in texts]
    assert all(_csv_cell(t) == t for t, d in zip(texts, doubt, strict=True) if not d)
    escaped = pc.match_substring_regex(pa.array(texts), _JSON_ESCAPED).to_pylist()
    assert all(json.dumps(t, ensure_ascii=False) == f'"{t}"' for t, e in zip(texts, escaped, strict=True) if not e)
    assert all(json.dumps(t, ensure_ascii=False) != f'"{t}"' for t, e in zip(texts, escaped, strict=True) if e)


@pytest.mark.parametrize("theme", ["water", "pei", "hiking"])
def test_awkward_columns_give_the_same_bytes(theme: str, tmp_path: Path) -> None:
    """Products of frames whose every field holds awkward texts (repeated or distinct), integers at and beyond the
    64-bit edges, float64 columns with NaN and signed zeros, or nothing: the old writers' bytes, whole and in
    chunks."""
    fields = load_profile(theme).roles[0].fields
    rng = np.random.default_rng(len(theme))
    n = 300
    ints = [0, -1, 1, 2**63 - 1, -(2**63), 10**20, -(10**19), np.int64(7), None]
    floats = [0.0, -0.0, np.nan, 1.5, -2.0, 1e16, 43.6109, 3.8767, -1e-7, 700000.25]
    columns: dict[str, Any] = {}
    for j, f in enumerate(fields):
        style = j % 5
        if style == 0:
            columns[f.name] = pd.Series(_awkward_column(rng, n, distinct=False), dtype=object)
        elif style == 1:
            columns[f.name] = pd.Series(_awkward_column(rng, n, distinct=True), dtype=object)
        elif style == 2:
            columns[f.name] = pd.Series([ints[i % len(ints)] for i in range(n)], dtype=object)
        elif style == 3:
            columns[f.name] = pd.Series([floats[i % len(floats)] for i in range(n)], dtype=float)
        else:
            columns[f.name] = pd.Series([None] * n, dtype=object)
    if theme == "hiking":
        xy = rng.uniform([3.0, 43.0], [4.5, 44.5], (n, 4, 2))
        geoms = [shapely.LineString(c) for c in xy]
    else:
        geoms = [shapely.Point(x, y) for x, y in rng.uniform([-5.0, 41.0], [9.0, 51.0], (n, 2))]
    crs = 2154 if theme == "pei" else 4326
    if theme == "pei":
        geoms = [shapely.Point(x, y) for x, y in rng.uniform([100_000, 6_000_000], [1_200_000, 7_100_000], (n, 2))]
    frame = gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)
    dataset = ThemeDataset(frames={"main": frame}, source_names={"main": "bizarre"})
    assert_same_products(theme, dataset, tmp_path, chunks=(1, 7, 128))

"""Point GeoJSON printed by odl-geo (exports/geojson_text.py) is byte for byte what GDAL's driver writes.

The fast writer exists for speed only (issue 16, docs/performance.md). Each test prints the same values both ways,
GDAL 3.12's GeoJSON driver (through pyogrio, as odl-geo wrote every GeoJSON before) and odl-geo's text path, and
compares the bytes: coordinates at every precision printed here, real numbers of every magnitude, texts with
every character JSON escapes, nulls, dates, booleans; whole layers through ``convert`` with batches that the fast
path prints and batches it hands to GDAL; and the layer's own check (rows printed both ways before writing)
handing a layer to GDAL when they differ.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo import convert
from odl_geo.conversion import ConvertOptions
from odl_geo.exports import geojson_text
from odl_geo.exports.geojson_text import (
    format_coordinates,
    format_reals,
    format_reals_one_by_one,
    json_texts,
    point_xy,
)
from odl_geo.sources import ReadOptions

REPO = Path(__file__).resolve().parents[2]
OPTIONS = {"RFC7946": "YES", "COORDINATE_PRECISION": "7"}


def _gdal_text(tmp_path: Path, columns: dict[str, pa.Array], xy: np.ndarray, precision: int = 7) -> str:
    """What GDAL's driver writes for these rows (points in EPSG:4326, RFC 7946)."""
    wkb = shapely.to_wkb(shapely.points(xy))
    table = pa.table({**columns, "geometry": pa.array(wkb, type=pa.binary())})
    path = tmp_path / "gdal.geojson"
    path.unlink(missing_ok=True)
    pyogrio.write_arrow(
        table,
        path,
        driver="GeoJSON",
        geometry_name="geometry",
        geometry_type="Point",
        crs="EPSG:4326",
        layer_options={**OPTIONS, "COORDINATE_PRECISION": str(precision)},
    )
    return path.read_text(encoding="utf-8")


def _adversarial(rng: np.random.Generator, n: int, precision: int) -> np.ndarray:
    """Longitudes whose decimals end in runs of 0 or 9 (GDAL's clean-up rules), ties, noise, tiny values."""
    whole = rng.integers(-180, 181, n)
    frac = rng.integers(0, 10**precision, n)
    kind = rng.integers(0, 6, n)
    step = 10 ** max(precision - 5, 0)
    frac = np.where(kind == 1, (frac // step) * step + rng.integers(0, 10, n) % step, frac)
    frac = np.where(kind == 2, (frac // step) * step + max(step - 10, 0) + rng.integers(0, 10, n) % step, frac)
    x = whole + np.sign(whole + 0.5) * frac / 10.0**precision
    x = x + np.where(kind == 3, rng.normal(0, 10.0 ** -(precision + 1), n), 0)
    x[kind == 4] = rng.uniform(-180, 180, int((kind == 4).sum()))
    tiny = kind == 5
    x[tiny] = rng.uniform(-1, 1, int(tiny.sum())) * 10.0 ** rng.integers(-12, 3, int(tiny.sum()))
    x[:8] = [179.9999999, -99.99999999, 0.00390625, -0.0, 5e-8, 123.00000049, -180.0, 180.0]
    return np.clip(x, -180, 180)


@pytest.mark.parametrize("precision", list(geojson_text.PRECISIONS))
def test_coordinates_are_printed_as_gdal_prints_them(tmp_path: Path, precision: int) -> None:
    rng = np.random.default_rng(precision)
    x = _adversarial(rng, 30_000, precision)
    y = np.clip(_adversarial(rng, 30_000, precision) / 2, -90, 90)
    text = _gdal_text(tmp_path, {}, np.column_stack([x, y]), precision)
    gdal = re.findall(r'"coordinates": \[ ([^,]+), ([^ ]+) \]', text)
    assert len(gdal) == x.size
    assert format_coordinates(x, precision).to_pylist() == [g[0] for g in gdal]
    assert format_coordinates(y, precision).to_pylist() == [g[1] for g in gdal]


def _property_values(text: str, name: str) -> list[str | None]:
    """The raw text of ``name`` in each feature's properties (None: the member is absent)."""
    out = []
    for line in text.split("\n"):  # not splitlines(): U+2028 is no line break in the file
        if line.startswith('{ "type": "Feature"'):
            m = re.search(rf'"{re.escape(name)}": (.*?)(, "[a-z_]+": | \}}, "geometry")', line)
            out.append(m.group(1) if m else None)
    return out


def test_reals_are_printed_as_gdal_prints_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(16)
    n = 20_000
    values = np.concatenate(
        [
            np.round(rng.gamma(2.0, 3.0, n), 2),  # measures with two decimals
            rng.uniform(-1e6, 1e6, n),  # full doubles
            rng.integers(-(10**6), 10**6, n) / 10.0 ** rng.integers(0, 8, n),  # short decimals of any scale
            rng.uniform(-1, 1, n) * 10.0 ** rng.integers(-300, 300, n),  # any magnitude, exponents
            np.cumsum(np.full(n, 0.1)),  # 0.1 + 0.1 + ... (the 999999 / 000000 retries)
            rng.integers(-(2**53), 2**53, n).astype(float),  # integers, ".0" added
            [0.0, -0.0, 1e20, 1e-7, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1 / 3],
        ]
    )
    text = _gdal_text(tmp_path, {"v": pa.array(values)}, np.zeros((values.size, 2)))
    assert format_reals(values).to_pylist() == _property_values(text, "v")


def _hard_reals(rng: np.random.Generator, n: int) -> np.ndarray:
    """Doubles where ``%.17g`` and GDAL's retries are easy to get wrong when printed without the C library.

    Measures and coordinates as a theme writes them (2 and 7 decimals, Lambert-93, lon/lat), exact binary
    fractions whose decimal expansion ends in a 5 at the 15th to 18th digit (ties, rounded to even), the
    neighbours one ulp either side of short decimals and of powers of ten (the exponent one off), runs of 0 and
    9 at every place (``1.0000001``, ``2.9999999``), integers, negatives, zeros, and values outside the range
    printed vectorised (tiny, huge, subnormal).
    """
    short = np.concatenate(
        [
            np.round(rng.uniform(440_000, 850_000, n), 2),
            np.round(rng.uniform(6_160_000, 6_450_000, n), 2),
            np.round(rng.uniform(-5, 9, n), 7),
            np.round(rng.uniform(41, 51, n), 7),
            np.round(rng.gamma(2.0, 3.0, n), 2),
            rng.integers(1, 10**6, n) * 10.0 ** rng.integers(-10, 10, n),
        ]
    )
    places = rng.integers(1, 12, n)
    runs = np.concatenate(
        [
            rng.integers(1, 100, n) + 10.0 ** -places.astype(float),  # 12.0000001
            rng.integers(1, 100, n) - 10.0 ** -places.astype(float),  # 11.9999999
            rng.integers(1, 10**6, n) / 10.0**6 + 10.0 ** -(places + 6).astype(float),
        ]
    )
    ties = np.concatenate(
        [
            rng.integers(2**49, 2**53, n) * 2.0 ** -rng.integers(1, 5, n),  # 1234567890123456.75 and the like
            rng.integers(1, 2**53, n) * 2.0 ** rng.integers(-70, 0, n),
            rng.integers(1, 10**5, n) * 2.0 ** -rng.integers(1, 40, n),
        ]
    )
    tens = 10.0 ** np.arange(-12, 20)
    wide = rng.uniform(-1, 1, n) * 10.0 ** rng.integers(-320, 308, n)
    values = np.concatenate([short, runs, ties, wide, tens, np.cumsum(np.full(n, 0.1)), rng.uniform(-1e13, 1e13, n)])
    values = np.concatenate([values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)])
    values = np.concatenate([values, -values, [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]])
    return values[np.isfinite(values)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reals_printed_vectorised_are_the_c_librarys(seed: int) -> None:
    # each value printed one by one with Python's correctly rounded %g (the C library's, GDAL's rules) and by
    # the vectorised path: the same texts
    values = _hard_reals(np.random.default_rng(seed), 20_000)
    assert format_reals(values).to_pylist() == format_reals_one_by_one(values).to_pylist()


def test_usual_reals_are_printed_vectorised() -> None:
    # the fast path is taken for the values a theme writes (zeros and the far ranges are left to Python)
    rng = np.random.default_rng(7)
    values = np.concatenate([np.round(rng.uniform(-1e6, 1e7, 50_000), 2), np.round(rng.uniform(-5, 51, 50_000), 7)])
    values = values[values != 0]
    texts, done = geojson_text._reals_vectorised(values)
    assert done.all()
    assert texts.to_pylist() == [geojson_text._gdal_real(v) for v in values.tolist()]
    _, done = geojson_text._reals_vectorised(np.array([0.0, 5e-5, 1e13, 1e300, 2.5]))
    assert done.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize("seed", [5, 6])
def test_short_decimals_are_arrows_shortest_texts(seed: int) -> None:
    # the rows _shortest_texts keeps (Arrow's shortest round-trip text) are those Python's %g with GDAL's
    # retries prints, and they are the values a theme writes (measures, Lambert-93 and lon/lat coordinates)
    rng = np.random.default_rng(seed)
    values = _hard_reals(rng, 20_000)
    texts, short = geojson_text._shortest_texts(values)
    kept = np.flatnonzero(short)
    assert kept.size > 100_000
    assert texts.take(pa.array(kept)).to_pylist() == [geojson_text._gdal_real(v) for v in values[kept].tolist()]
    usual = np.concatenate(
        [
            np.round(rng.uniform(440_000, 850_000, 10_000), 2),
            np.round(rng.uniform(6_160_000, 6_450_000, 10_000), 2),
            np.round(rng.uniform(-5, 9, 10_000), 7),
            np.round(rng.uniform(41, 51, 10_000), 7),
            rng.integers(1, 10**6, 10_000).astype(float),
        ]
    )
    _, short = geojson_text._shortest_texts(usual[np.abs(usual) >= 1e-4])
    assert short.mean() > 0.99
    edge = np.array([1.0000001, 2.9999999, 1e8, 123456789.0, 1e14, 1e-4, 9.99e-5, -0.0, 0.0, 0.1 + 0.2, -5.5, 1e9])
    texts, short = geojson_text._shortest_texts(edge)
    assert short.tolist() == [False, False, True, True, False, True, False, False, False, False, True, False]
    assert [t for t, s in zip(texts.to_pylist(), short.tolist(), strict=True) if s] == [
        "100000000.0",
        "123456789.0",
        "0.0001",
        "-5.5",
    ]
    assert format_reals(edge).to_pylist() == [geojson_text._gdal_real(v) for v in edge.tolist()]
    # full doubles first (no short decimal among the first ones: the batch is printed the other way), then short
    mixed = np.concatenate([rng.uniform(-1e6, 1e6, 200), np.round(rng.uniform(-5, 9, 200), 7)])
    assert not geojson_text._shortest_texts(mixed[: geojson_text._SHORT_SAMPLE])[1].any()
    assert format_reals(mixed).to_pylist() == [geojson_text._gdal_real(v) for v in mixed.tolist()]


def test_hard_reals_are_printed_as_gdal_prints_them(tmp_path: Path) -> None:
    values = _hard_reals(np.random.default_rng(4), 3_000)
    text = _gdal_text(tmp_path, {"v": pa.array(values)}, np.zeros((values.size, 2)))
    assert format_reals(values).to_pylist() == _property_values(text, "v")


def test_texts_are_escaped_as_gdal_escapes_them(tmp_path: Path) -> None:
    texts = [
        'Résidence "Les Pins"',
        "C:\\chemin\\fichier",
        "ligne 1\nligne 2\r\n\tindentée",
        "\b\f retour",
        "a/b </script>",
        "Œillets, ½, 😀, \u2028\u2029, \x7f",
        "",
        None,
        "{pas du json",
        "[x",
        "fin}",
    ]
    text = _gdal_text(tmp_path, {"t": pa.array(texts)}, np.zeros((len(texts), 2)))
    mine = json_texts(pa.array(texts))
    assert mine is not None
    assert mine.fill_null("null").to_pylist() == _property_values(text, "t")


def test_columns_of_nulls_and_without_nulls_are_printed_as_gdal_prints_them(tmp_path: Path) -> None:
    # a column of nulls is printed as part of the literal text, the quotes of a column without null too
    # (render_batch joins fewer arrays): the features are still GDAL's, byte for byte
    n = 60
    days = [dt.date(1990, 1, 1) + dt.timedelta(days=37 * i) for i in range(n)]
    columns = {
        "vide_texte": pa.nulls(n, pa.string()),
        "nom": pa.array([f'Borne "{i}" \\ n°{i}' for i in range(n)]),
        "vide_reel": pa.nulls(n, pa.float64()),
        "vide_date": pa.nulls(n, pa.date32()),
        "jour": pa.array(days),
        "vide_entier": pa.nulls(n, pa.int32()),
        "vide_bool": pa.nulls(n, pa.bool_()),
        "troue": pa.array([None if i % 3 else f"t{i}" for i in range(n)]),
        "jour_troue": pa.array([None if i % 4 else d for i, d in enumerate(days)]),
        "debit": pa.array([None if i % 5 == 0 else 30.0 + i for i in range(n)]),
    }
    xy = np.column_stack([np.linspace(-4.5, 8.5, n), np.linspace(42.1, 50.9, n)])
    text = _gdal_text(tmp_path, columns, xy)
    batch = pa.RecordBatch.from_pydict(
        {**columns, "geometry": pa.array(shapely.to_wkb(shapely.points(xy)), type=pa.binary())}
    )
    mine = geojson_text.render_batch(batch, 7)
    assert mine is not None
    features = text[text.index('"features": [\n') + len('"features": [\n') : -len("\n]\n}\n")]
    assert "".join(mine.to_pylist())[2:] == features
    assert '"vide_texte": null, "nom": "Borne \\"0\\" \\\\ n°0"' in features  # what is compared


@pytest.mark.parametrize(
    "value",
    ['{"a": 1}', "[1, 2]", "{x}", "nul\x00", "bip\x07", "\x1b[0m"],
    ids=["object", "array", "braces", "nul", "bell", "escape"],
)
def test_texts_gdal_handles_its_own_way_are_handed_back(value: str) -> None:
    # GDAL parses texts that look like JSON, cuts at NUL and writes \u00XX escapes: those batches go to GDAL
    assert json_texts(pa.array(["ordinaire", value])) is None


def test_point_xy_reads_plain_points_and_refuses_the_rest() -> None:
    wkb = pa.array([shapely.to_wkb(shapely.Point(1.5, -2)), None], type=pa.binary())
    where = point_xy(wkb)
    assert where is not None
    xy, valid = where
    assert valid.tolist() == [True, False]
    assert xy[0].tolist() == [1.5, -2.0]
    z = pa.array([shapely.to_wkb(shapely.Point(1, 2, 3))], type=pa.binary())
    big = pa.array([shapely.to_wkb(shapely.Point(1, 2), byte_order=0)], type=pa.binary())
    line = pa.array([shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]))], type=pa.binary())
    assert point_xy(z) is None and point_xy(big) is None and point_xy(line) is None


# -- whole layers through convert ------------------------------------------------------------------------
def _points_gpkg(path: Path, n: int, crs: str = "EPSG:2154", extra: dict[str, pa.Array] | None = None) -> Path:
    """A point GeoPackage with every field type the fast path prints, and rows it hands to GDAL."""
    rng = np.random.default_rng(n)
    if crs == "EPSG:2154":
        x, y = rng.uniform(440_000, 850_000, n), rng.uniform(6_160_000, 6_450_000, n)
    else:
        x, y = rng.uniform(-5, 9, n), rng.uniform(41, 51, n)
    geoms = list(shapely.points(x, y))
    geoms[3] = None  # a feature without geometry
    names = [f'Fontaine n°{i} "la {i % 7}e" à l\'Église\\{i % 3}' for i in range(n)]
    names[5] = None
    names[n // 2 + 1] = "tab\there\nnewline"
    heights = np.round(rng.gamma(2.0, 3.0, n), 2).tolist()
    heights[7] = None
    columns: dict[str, pa.Array] = {
        "nom": pa.array(names),
        "numero": pa.array(rng.integers(-(2**31), 2**31 - 1, n, dtype=np.int64).astype(np.int32)),
        "grand": pa.array(rng.integers(-(2**62), 2**62, n, dtype=np.int64)),
        "hauteur": pa.array(heights, type=pa.float64()),
        "actif": pa.array((rng.random(n) < 0.5).tolist()),
        "date_maj": pa.array([dt.date(2000, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 9000, n)]),
        **(extra or {}),
        "geometry": pa.array([None if g is None else shapely.to_wkb(g) for g in geoms], type=pa.binary()),
    }
    pyogrio.write_arrow(
        pa.table(columns), path, driver="GPKG", geometry_name="geometry", geometry_type="Point", crs=crs
    )
    return path


def _convert_both(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: ReadOptions | None = None, **opts: object
) -> tuple[Path, Path]:
    """The GeoJSON of ``convert`` with the fast writer, and with GDAL's driver alone (the path it replaces)."""
    fast, slow = tmp_path / "fast", tmp_path / "gdal"
    convert(src, fast, ["geojson"], read, options=ConvertOptions(**opts))  # type: ignore[arg-type]
    with monkeypatch.context() as m:
        m.setattr(geojson_text, "PRECISIONS", range(0))  # every layer to GDAL's driver
        convert(src, slow, ["geojson"], read, options=ConvertOptions(**opts))  # type: ignore[arg-type]
    return fast, slow


def _same_outputs(fast: Path, slow: Path) -> None:
    [a] = fast.glob("*.geojson")
    [b] = slow.glob("*.geojson")
    assert a.read_bytes() == b.read_bytes()
    ma, mb = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (fast, slow))
    for m in (ma, mb):
        m.pop("created", None)
        m.pop("generated", None)
    assert ma["files"] == mb["files"]
    assert ma["report"] == mb["report"]


def test_layer_in_lambert93_is_written_as_gdal_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _points_gpkg(tmp_path / "points.gpkg", 5_000)
    calls: list[bool] = []
    real = geojson_text.render_batch

    def counted(batch: pa.RecordBatch, precision: int) -> pa.StringArray | None:
        out = real(batch, precision)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(geojson_text, "render_batch", counted)
    fast, slow = _convert_both(src, tmp_path, monkeypatch, batch_size=1_000)
    _same_outputs(fast, slow)
    # every batch printed here (five batches of 1,000), escapes included
    assert calls == [True] * 5


def test_batches_the_fast_path_cannot_print_are_gdals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 4_000
    notes = ["ok"] * n
    notes[1_500] = '{"objet": "json"}'  # batch 2: GDAL writes it as an object
    notes[2_500] = "bip\x07"  # batch 3: \u0007
    notes[3_500] = "[1, 2]"  # batch 4: an array
    extra = {"note": pa.array(notes)}
    src = _points_gpkg(tmp_path / "points.gpkg", n, crs="EPSG:4326", extra=extra)
    handed: list[int] = []
    real = geojson_text._GdalText.features

    def spy(self: geojson_text._GdalText, batch: pa.RecordBatch) -> tuple[bytes, bytes]:
        handed.append(batch.num_rows)
        return real(self, batch)

    monkeypatch.setattr(geojson_text._GdalText, "features", spy)
    fast, slow = _convert_both(src, tmp_path, monkeypatch, batch_size=1_000)
    _same_outputs(fast, slow)
    assert handed == [1, 512, 1_000, 1_000, 1_000]  # the header, the self-check's sample, batches 2, 3 and 4
    text = next(fast.glob("*.geojson")).read_text(encoding="utf-8")
    assert '"note": { "objet": "json" }' in text and '"note": "bip\\u0007"' in text and '"note": [ 1, 2 ]' in text


def test_batches_with_nan_or_infinity_are_handed_to_gdal() -> None:
    # GDAL leaves a NaN member out and warns (a GeoPackage cannot even hold one: SQLite stores NULL)
    wkb = pa.array([shapely.to_wkb(shapely.Point(1, 2))] * 2, type=pa.binary())
    for bad in (np.nan, np.inf):
        batch = pa.RecordBatch.from_arrays([pa.array([1.5, bad]), wkb], names=["v", "geometry"])
        assert geojson_text.render_batch(batch, 7) is None
    ok = pa.RecordBatch.from_arrays([pa.array([1.5, None], type=pa.float64()), wkb], names=["v", "geometry"])
    rendered = geojson_text.render_batch(ok, 7)
    assert rendered is not None and '"v": null' in rendered[1].as_py()


def test_a_layer_printed_otherwise_by_gdal_goes_to_gdal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first rows printed here differ from GDAL's (as with another GDAL release): GDAL prints the layer."""
    src = _points_gpkg(tmp_path / "points.gpkg", 2_000)
    real = geojson_text.render_batch

    def wrong(batch: pa.RecordBatch, precision: int) -> pa.StringArray | None:
        out = real(batch, precision)
        return None if out is None else pa.array([t.replace("Point", "point") for t in out.to_pylist()])

    monkeypatch.setattr(geojson_text, "render_batch", wrong)
    fast, slow = _convert_both(src, tmp_path, monkeypatch, batch_size=500)
    _same_outputs(fast, slow)
    assert '"type": "Point"' in next(fast.glob("*.geojson")).read_text(encoding="utf-8")


def test_the_self_check_waits_for_the_first_rows_printed_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first batch goes to GDAL (a control character); the check runs on the second, the first printed here,
    and its difference (printed wrongly on purpose) hands the rest to GDAL: the file is still GDAL's."""
    n = 3_000
    notes = ["ok"] * n
    notes[10] = "bip\x07"
    src = _points_gpkg(tmp_path / "points.gpkg", n, extra={"note": pa.array(notes)})
    real = geojson_text.render_batch
    rendered: list[int] = []

    def wrong(batch: pa.RecordBatch, precision: int) -> pa.StringArray | None:
        out = real(batch, precision)
        if out is not None:
            rendered.append(batch.num_rows)
            out = pa.array([t.replace('"Feature"', '"feature"') for t in out.to_pylist()])
        return out

    monkeypatch.setattr(geojson_text, "render_batch", wrong)
    fast, slow = _convert_both(src, tmp_path, monkeypatch, batch_size=1_000)
    _same_outputs(fast, slow)
    assert rendered == [1_000]  # printed here once (the second batch), then never trusted again


def test_other_field_types_and_precisions_go_to_gdal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = pa.array([dt.datetime(2024, 5, 1, 12, 30) + dt.timedelta(hours=i) for i in range(300)])
    src = _points_gpkg(tmp_path / "points.gpkg", 300, extra={"vu_le": stamps})
    fast, slow = _convert_both(src, tmp_path / "a", monkeypatch)
    _same_outputs(fast, slow)
    fast, slow = _convert_both(src, tmp_path / "b", monkeypatch, geojson_precision=12)
    _same_outputs(fast, slow)


def test_bench_shapefile_is_written_as_gdal_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's point Shapefile (accented text, integers, reals, dates; Lambert-93), generated small."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import convert as bench_convert  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    src = bench_convert.make_points(tmp_path, 20_000)
    fast, slow = _convert_both(src, tmp_path, monkeypatch)
    _same_outputs(fast, slow)


def test_bundled_point_samples_are_written_as_gdal_writes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = [
        (REPO / "examples/water/VilleMTP_MTP_Fontaines.csv", None),
        (REPO / "tests/data/pei/pei_generated_occitanie.csv", "EPSG:2154"),
    ]
    for n, (sample, source_crs) in enumerate(samples):
        src = tmp_path / f"in{n}" / sample.name
        src.parent.mkdir()
        shutil.copy(sample, src)
        for extra in (".csvt", ".prj"):
            if sample.with_suffix(extra).exists():
                shutil.copy(sample.with_suffix(extra), src.with_suffix(extra))
        read = ReadOptions(source_crs=source_crs) if source_crs else None
        fast, slow = _convert_both(src, tmp_path / f"out{n}", monkeypatch, read=read)
        _same_outputs(fast, slow)
        assert next(fast.glob("*.geojson")).stat().st_size > 10_000

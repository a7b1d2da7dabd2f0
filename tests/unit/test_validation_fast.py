"""Fast product validation (odl_geo.profiles.validation) gives exactly what the official validators give.

"Old" is the official validator on every row (``products.validate_rows`` / ``validate_json_schema``); "new" is the
compiled checker plus the official validator on the flagged rows and a sample. The fast path only runs on layers
larger than ``SMALL_LAYER``: the ``fast`` fixture lowers that bound and the sample sizes so that small tables go
through it, and every test asserts that it really did (the official validator was not run on every row).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odl_geo.profiles import compiled_json, compiled_table, products, validation
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.hiking import HikingProfile
from odl_geo.profiles.pei import PeiProfile
from odl_geo.profiles.products import lonlat
from odl_geo.profiles.schemas import load_schema
from odl_geo.profiles.water import WATER_FIELDS, WaterProfile, table_schema
from odl_geo.report import Report
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme

REPO = Path(__file__).resolve().parents[2]
PEI_SCHEMA = "point-eau-incendie.schema.json"
HIKING_SCHEMA = "itineraire-randonnee.schema.json"
PARSER = "hiking/geotrek_admin_fixtures/trekking/tests/data/schema_randonnee_parser"
FUZZ = settings(
    derandomize=True,
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: frictionless makes it take minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def fast(monkeypatch):
    """Small tables through the fast path; returns the list of (function, rows) the official validator got
    whole, which a test expects empty unless it provokes a fallback."""
    monkeypatch.setattr(validation, "SMALL_LAYER", 0)
    monkeypatch.setattr(validation, "PREFIX_ROWS", 3)
    monkeypatch.setattr(validation, "SAMPLE_ROWS", 3)
    monkeypatch.setattr(validation, "PREFIX_FEATURES", 2)
    monkeypatch.setattr(validation, "SAMPLE_FEATURES", 2)
    whole: list[tuple[str, int]] = []
    rows_official, json_official = products.validate_rows, products.validate_json_schema

    def spy_rows(header, rows, descriptor):
        rows = list(rows)
        whole.append(("validate_rows", len(rows)))
        return rows_official(header, rows, descriptor)

    def spy_json(doc, schema):
        if doc is spy_json.whole:  # the collection itself, not a sub-collection of the features to judge
            whole.append(("validate_json_schema", len(doc["features"])))
        return json_official(doc, schema)

    spy_json.whole = None
    monkeypatch.setattr(products, "validate_rows", spy_rows)
    monkeypatch.setattr(products, "validate_json_schema", spy_json)
    return whole, spy_json, rows_official, json_official


def _same_report(errors_old, errors_new, validator: str) -> None:
    assert errors_new == errors_old
    old, new = Report(), Report()
    products.report_validation(errors_old, validator, "schema", "layer", old)
    products.report_validation(errors_new, validator, "schema", "layer", new)
    assert [i.to_dict() for i in new.issues] == [i.to_dict() for i in old.issues]


def _table(header, rows, descriptor, fast):
    whole, _, rows_official, _ = fast
    whole.clear()  # Hypothesis runs many examples with one fixture
    old = rows_official(header, rows, descriptor)
    new = validation.validate_table_rows(header, rows, descriptor)
    _same_report(old, new, "frictionless")
    if any("\r" in c or "\x00" in c for row in rows for c in row):
        assert whole  # frictionless reads a CR as a line break: its row numbers are not the rows, all go to it
        return old
    assert not whole, f"the official validator ran on every row: {whole}"
    # soundness of the compiled checker itself: every row frictionless rejects was flagged
    columns, odd = validation._columns(rows, len(header))
    flagged = (
        validation.compile_table_schema({k: v for k, v in descriptor.items() if k != "$schema"}, header)(columns) | odd
    )
    assert {f for f, *_ in old if f is not None} <= set(np.flatnonzero(flagged).tolist())
    return old


def _features(doc, schema, fast):
    whole, spy_json, _, json_official = fast
    whole.clear()
    spy_json.whole = doc
    old = json_official(doc, schema)
    new = validation.validate_feature_collection(doc, schema)
    assert not whole, f"jsonschema ran on every feature: {whole}"
    _same_report(old, new, "jsonschema")
    flagged = validation.compile_feature_schema(schema)(doc["features"])
    assert {f for f, *_ in old if f is not None} <= set(np.flatnonzero(flagged).tolist())
    return old


def _dataset(path: Path, theme: str, options: ThemeOptions, read: ReadOptions | None = None) -> ThemeDataset:
    run = check_theme(path, theme, options, read)
    return ThemeDataset(frames={"main": run.layers[0].frame}, source_names={"main": "main"})


# -- the bundled samples ---------------------------------------------------------------------------------------


def test_water_samples(fast, data_copy):
    mapping = REPO / "examples" / "water" / "fontaines.toml"
    for src in (REPO / "examples/water/VilleMTP_MTP_Fontaines.csv",
                data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson")):  # fmt: skip
        for options in (ThemeOptions(mapping=mapping), ThemeOptions()):
            ds = _dataset(src, "water", options)
            header, rows = WaterProfile().table(ds)
            old = _table(header, list(rows), table_schema(), fast)
            frame = ds.frames["main"]
            lon, lat = lonlat(frame)  # the profile's own path: texts built a column at a time
            assert (
                validation.validate_table_frame(frame, list(WATER_FIELDS), table_schema(), {"lon": lon, "lat": lat})
                == old
            )


def test_pei_sample(fast):
    src = REPO / "tests/data/pei/pei_generated_occitanie.csv"
    read = ReadOptions(source_crs="EPSG:2154")
    for options in (ThemeOptions(area="occitanie"), ThemeOptions(fix=True, area="occitanie")):
        ds = _dataset(src, "pei", options, read)
        header, rows = PeiProfile().table(ds)
        errors = _table(header, list(rows), load_schema(PEI_SCHEMA), fast)
        fields = list(PeiProfile.roles[0].fields)
        assert (
            validation.validate_table_frame(ds.frames["main"], fields, load_schema(PEI_SCHEMA), true_false=("1", "0"))
            == errors
        )
        assert errors  # the generated file plants faults: the comparison is not between two empty lists


def test_hiking_samples(fast, data_copy):
    schema = load_schema(HIKING_SCHEMA)
    sources = [
        REPO / "examples/hiking/cevennes_itineraires.json",
        REPO / "tests/data/geotrek/geotrek_treks.geojson",
        data_copy("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"),
    ]
    fields = list(HikingProfile.roles[0].fields)
    for src in sources:
        ds = _dataset(src, "hiking", ThemeOptions())
        old = _features(HikingProfile().feature_collection(ds), schema, fast)
        assert validation.validate_feature_frame(ds.frames["main"], fields, schema) == old  # the profile's path
    # the parser's faulty files as they are (no conforming): wrong geometries, no geometry...
    found = 0
    for name in ("incorrect_geoms.geojson", "incorrect_parking_location.geojson", "no_geom.geojson"):
        doc = json.loads(data_copy(f"{PARSER}/{name}").read_text(encoding="utf-8"))
        found += len(_features(doc, schema, fast))
    assert found


# -- fuzzed tables --------------------------------------------------------------------------------------------

ODD = st.sampled_from([
    "", " ", "=1+1", "-5.2", "@SUM(A1)", "+33", "a,b", 'say "hi"', "line\nbreak", "tab\there", "é",
    "Ã©", "NaN", "nan", "inf", "-inf", "1e3", "1E-2", " 7", "7 ", "1,5", "0x10", "١٢", "007", "+0", "-0", ".5", "5.",
    "1_000", "2021-02-29", "2020-02-29", "2020-13-01", "20-01-01", "2020-1-5", "10/06/1995", "0000-01-01",
    "9999-12-31", "1600-01-01", "true", "True", "1", "0", "false", "oui", "180", "180.0", "180.0000000000000001",
    "-90", "-90.5", "80", "80.0", "080", "80.00", "100", "PI", "pi", "borne_fontaine", "#x", "9" * 50,
])  # fmt: skip


def _cell(field: dict) -> st.SearchStrategy[str]:
    kind = field.get("type")
    enum = [str(v) for v in field.get("constraints", {}).get("enum", [])]
    good: st.SearchStrategy[str]
    if kind == "number":
        good = st.floats(-200, 200, allow_nan=False).map(repr) | st.integers(-300, 300).map(str)
    elif kind == "integer":
        good = st.integers(-5, 40).map(str)
    elif kind == "date":
        good = st.dates().map(lambda d: d.isoformat())
    elif kind == "boolean":
        good = st.sampled_from(field.get("trueValues", ["true"]) + field.get("falseValues", ["false"]))
    else:
        good = st.text(max_size=8)
    if enum:
        good = st.sampled_from(enum) | good
    return st.one_of(good, good, ODD, st.just(""))


def _rows(descriptor: dict, min_rows: int = 8, max_rows: int = 30) -> st.SearchStrategy[list[list[str]]]:
    fields = descriptor["fields"]
    row = st.tuples(*[_cell(f) for f in fields]).map(list)
    return st.lists(row, min_size=min_rows, max_size=max_rows)


def _after_filler(descriptor: dict, rows: list[list[str]], free: str, valid: dict[str, str]) -> list[list[str]]:
    """``rows`` after valid rows holding long text in the column ``free``: as in a real layer, the 100 lines
    frictionless sniffs the dialect from are plain rows, and the 100 000 bytes it detects the encoding in read as
    UTF-8 (fuzzed text there could make it guess another encoding: every row would then go to frictionless)."""
    names = [f["name"] for f in descriptor["fields"]]
    filler = [[("x" * 1100 if n == free else valid.get(n, "")) for n in names] for _ in range(125)]
    for i, row in enumerate(filler):
        row[0] = f"f{i}" if names[0] == "id_local" else row[0]
    return filler + rows


WATER_VALID = {"type_point": "fontaine", "date_mes": "2020-01-01", "lon": "3.8", "lat": "43.6"}
PEI_VALID = {"insee": "34172", "type_pei": "PI", "type_rd": "x"}


@FUZZ
@given(rows=_rows(table_schema()), dup=st.integers(0, 100))
def test_fuzzed_water_tables(fast, monkeypatch, rows, dup):
    if dup and len(rows) > 5:
        rows[-1][0] = rows[dup % 3][0]  # a repeated id_local far from the first one (unique)
    descriptor = table_schema()
    rows = _after_filler(descriptor, rows, "remarque", WATER_VALID)
    _table([f["name"] for f in descriptor["fields"]], rows, descriptor, fast)


@FUZZ
@given(rows=_rows(load_schema(PEI_SCHEMA)))
def test_fuzzed_pei_tables(fast, monkeypatch, rows):
    descriptor = load_schema(PEI_SCHEMA)
    rows = _after_filler(descriptor, rows, "situation", PEI_VALID)
    _table([f["name"] for f in descriptor["fields"]], rows, descriptor, fast)


# -- fuzzed features ------------------------------------------------------------------------------------------

JSON_ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3000), st.floats(allow_nan=True), st.text(max_size=6),
    st.sampled_from(["", "2021-02-29", "2020-02-29", "2020-1-5", "x2020-01-01y", "2020-01-01", "a@b", "ab",
                     "pédestre", "boucle", "VTT", "Pédestre", "https://x", "12.0"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.just([{"url": "https://x", "type_media": "image"}]), st.just([{"type_media": "film"}]),
)  # fmt: skip

GEOMETRY = st.one_of(
    st.just({"type": "LineString", "coordinates": [[3.5, 44.1], [3.6, 44.2]]}),
    st.just({"type": "LineString", "coordinates": [[3.5, 44.1]]}),
    st.just({"type": "LineString", "coordinates": [[3.5, "44.1"], [3.6, 44.2]]}),
    st.just({"type": "LineString", "coordinates": [[3.5], [3.6, 44.2, 100.0]]}),
    st.just({"type": "LineString", "coordinates": [[3.5, True], [3.6, 44]]}),
    st.just({"type": "Point", "coordinates": [3.5, 44.1]}),
    st.just({"type": "LineString"}),
    st.none(),
    st.lists(st.tuples(st.floats(-5, 5), st.floats(40, 45)).map(list), min_size=0, max_size=4).map(
        lambda c: {"type": "LineString", "coordinates": c}
    ),
)


@st.composite
def _feature(draw) -> dict:
    spec = load_schema(HIKING_SCHEMA)["definitions"]["properties_randonnee"]["properties"]
    props = {}
    for name in spec:
        how = draw(st.integers(0, 9))
        if how == 0:
            continue  # absent (required ones then break "required")
        props[name] = draw(JSON_ODD) if how == 1 else _valid(name, spec[name], draw)
    feature = {"type": draw(st.sampled_from(["Feature", "Feature", "Feature", "feature"])), "properties": props,
               "geometry": draw(GEOMETRY)}  # fmt: skip
    if draw(st.integers(0, 20)) == 0:
        del feature["properties"]
    return feature


def _valid(name: str, spec: dict, draw) -> object:
    if "enum" in spec:
        return draw(st.sampled_from(spec["enum"]))
    types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    main = types[0]
    if spec.get("format") == "date":
        return draw(st.dates().map(lambda d: d.isoformat()))
    if main == "integer":
        return draw(st.integers(0, 3000) | st.integers(0, 3000).map(float))
    if main == "number":
        return draw(st.floats(0, 100))
    if main == "boolean":
        return draw(st.booleans())
    if main == "array":
        return None
    return draw(st.text(max_size=6))


@FUZZ
@given(features=st.lists(_feature(), min_size=6, max_size=20))
def test_fuzzed_hiking_features(fast, features):
    _features({"type": "FeatureCollection", "features": features}, load_schema(HIKING_SCHEMA), fast)


# -- the judge catches a compiler that misses a rule ----------------------------------------------------------


def test_a_compiler_missing_a_date_rule_is_caught_and_every_row_validated(fast, monkeypatch, caplog):
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    rows = [[str(i), "", "fontaine"] + [""] * 7 + ["2020-01-01", "", "", "", "", "", "3.8", "43.6"] for i in range(40)]
    rows[1][10] = "10/06/1995"  # in the prefix (always sampled)
    rows[30][10] = "31/12/1999"  # out of the sample: found only because every row is then validated
    whole, _, rows_official, _ = fast
    monkeypatch.setattr(compiled_table, "_date_test", lambda col: np.zeros(len(col), dtype=bool))
    with caplog.at_level(logging.WARNING, logger="odl_geo.validation"):
        new = validation.validate_table_rows(header, rows, descriptor)
    assert new == rows_official(header, rows, descriptor)
    assert {f for f, *_ in new} == {1, 30}
    assert whole == [("validate_rows", 40)]
    assert "compiled Table Schema checker passed rows frictionless rejects (e.g. row 1)" in caplog.text


def test_a_compiler_missing_a_format_rule_is_caught_and_every_feature_validated(fast, monkeypatch, caplog):
    schema = load_schema(HIKING_SCHEMA)
    props = {"id_local": "1", "producteur": "p", "nom_itineraire": "n", "pratique": "VTT", "depart": "a",
             "arrivee": "b", "instructions": "i", "date_creation": "2020-01-01"}  # fmt: skip
    line = {"type": "LineString", "coordinates": [[3.5, 44.1], [3.6, 44.2]]}
    features = [{"type": "Feature", "properties": dict(props, id_local=str(i)), "geometry": line} for i in range(30)]
    features[0]["properties"]["date_creation"] = "2020-02-30"  # matches the pattern, not a date
    features[25]["properties"]["date_creation"] = "2021-02-29"
    doc = {"type": "FeatureCollection", "features": features}
    whole, spy_json, _, json_official = fast
    spy_json.whole = doc
    monkeypatch.setattr(
        compiled_json, "_format_test", lambda fmt, checker: lambda values, types: np.zeros(len(values), bool)
    )
    with caplog.at_level(logging.WARNING, logger="odl_geo.validation"):
        new = validation.validate_feature_collection(doc, schema)
    assert new == json_official(doc, schema)
    assert {f for f, *_ in new} == {0, 25}
    assert whole == [("validate_json_schema", 30)]
    assert "compiled JSON Schema checker passed features jsonschema rejects (e.g. feature 0)" in caplog.text


# -- what the compiler does not know goes to the official validator whole -------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(primaryKey=["id_local"]),
        lambda d: d.update(missingValues=["", "NA"]),
        lambda d: d["fields"][1].update(format="email"),
        lambda d: d["fields"][3]["constraints"].update(unique=True),
        lambda d: d["fields"][10]["constraints"].update(minimum="2000-01-01"),
        lambda d: d["fields"][16]["constraints"].update(minimum=-0.5),
        lambda d: d["fields"][0].update(type="datetime"),
    ],
)
def test_unknown_keywords_fall_back_to_frictionless_on_every_row(fast, change):
    descriptor = table_schema()
    change(descriptor)
    header = [f["name"] for f in descriptor["fields"]]
    rows = [
        [str(i % 5), "", "fontaine"] + [""] * 7 + ["2020-01-01", "", "", "", "", "", "-0.7", "43.6"] for i in range(9)
    ]
    with pytest.raises(validation.Unsupported):
        validation.compile_table_schema(descriptor, header)
    whole, _, rows_official, _ = fast
    assert validation.validate_table_rows(header, rows, descriptor) == rows_official(header, rows, descriptor)
    assert whole == [("validate_rows", 9)]


@pytest.mark.parametrize("keyword", [{"const": "x"}, {"oneOf": [{"type": "string"}]}, {"uniqueItems": True}])
def test_unknown_json_keywords_fall_back_to_jsonschema_on_every_feature(fast, keyword):
    schema = load_schema(HIKING_SCHEMA)
    schema["definitions"]["properties_randonnee"]["properties"]["producteur"].update(keyword)
    with pytest.raises(validation.Unsupported):
        validation.compile_feature_schema(schema)
    whole, spy_json, _, json_official = fast
    features = [{"type": "Feature", "properties": {"producteur": "y"}, "geometry": None} for _ in range(5)]
    doc = {"type": "FeatureCollection", "features": features}
    spy_json.whole = doc
    assert validation.validate_feature_collection(doc, schema) == json_official(doc, schema)
    assert whole == [("validate_json_schema", 5)]


def test_small_layers_are_validated_whole_as_before(monkeypatch):
    """At most SMALL_LAYER rows: the official validator on every row (the bundled samples' reports unchanged)."""
    calls = []
    monkeypatch.setattr(products, "validate_rows", lambda h, r, d: calls.append(len(list(r))) or [])
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    assert validation.validate_table_rows(header, [[""] * len(header)] * 10, descriptor) == []
    assert calls == [10]


def test_repeated_identifiers_keep_frictionless_messages_and_row_numbers(fast):
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    rows = [
        [f"id{i}", "", "fontaine"] + [""] * 7 + ["2020-01-01", "", "", "", "", "", "3.8", "43.6"] for i in range(60)
    ]
    rows[20][0] = rows[40][0] = rows[55][0] = "id7"
    errors = _table(header, rows, descriptor, fast)
    assert [(f, rule) for f, _, rule, _ in errors] == [(20, "unique-error"), (40, "unique-error"), (55, "unique-error")]
    assert errors[1][3].endswith("the same as in the row at position 22")  # row numbers of the whole table


@pytest.mark.parametrize("where, text", [(12, "voir\rplan"), (0, validation.SKIP + "1")])
def test_a_carriage_return_or_a_placeholder_sends_the_table_to_frictionless_whole(fast, where, text):
    """The writer leaves a lone CR unquoted and frictionless reads it as a line break: its row numbers then differ
    from the rows written, so no row can be left out. A first cell that reads as a placeholder line likewise."""
    descriptor = table_schema()
    header = [f["name"] for f in descriptor["fields"]]
    rows = [
        [f"id{i}", "", "fontaine"] + [""] * 7 + ["2020-01-01", "", "", "", "", "", "3.8", "43.6"] for i in range(30)
    ]
    rows[5][where] = text
    rows[20][10] = "2020-13-01"
    whole, _, rows_official, _ = fast
    assert validation.validate_table_rows(header, rows, descriptor) == rows_official(header, rows, descriptor)
    assert whole == [("validate_rows", 30)]


def test_trail_frames_with_odd_geometries(fast, caplog):
    """The frame path builds the features' geometries from coordinate arrays: whatever the geometry, the same
    verdicts as jsonschema on ``products.feature_collection``."""
    import shapely

    ds = _dataset(REPO / "examples/hiking/cevennes_itineraires.json", "hiking", ThemeOptions())
    frame = ds.frames["main"]
    frame = frame.iloc[np.arange(24) % len(frame)].reset_index(drop=True)
    odd = [
        None,
        shapely.Point(3.5, 44.1),
        shapely.MultiLineString([[(3.5, 44.1), (3.6, 44.2)], [(3.8, 44.1), (3.9, 44.2)]]),
        shapely.LineString(),
        shapely.LineString([(3.5, 44.1, 100.0), (3.6, 44.2, 120.0)]),
        shapely.LineString([(3.5, 44.1), (float("nan"), 44.2)]),
        shapely.LineString([(3.5, 44.1), (3.5 + 1e-9, 44.1)]),  # one point once rounded to 10^-7
        shapely.LineString([(3.5, 44.1), (float("inf"), 44.2)]),
        shapely.Polygon([(3.5, 44.1), (3.6, 44.1), (3.6, 44.2)]),
    ]
    geoms = list(frame.geometry.values)
    for i, g in enumerate(odd):
        geoms[2 * i + 3] = g
    frame = frame.set_geometry(geoms, crs=frame.crs)
    frame.loc[5, "pratique"] = "ski alpin"
    fields = list(HikingProfile.roles[0].fields)
    schema = load_schema(HIKING_SCHEMA)
    _, _, _, json_official = fast
    old = json_official(products.feature_collection(frame, fields), schema)
    with caplog.at_level(logging.INFO, logger="odl_geo.validation"):
        new = validation.validate_feature_frame(frame, fields, schema)
    assert new == old
    assert {f for f, *_ in old} >= {3, 5, 7, 9, 13, 15, 19}  # 11, a 3D line, is valid
    assert "jsonschema rejects" not in caplog.text and "every feature" not in caplog.text

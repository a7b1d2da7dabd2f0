"""Hiking validation chunk by chunk (a streamed ``convert --theme``): the layer's rules, the compiled coordinates.

The fast path (:mod:`odl_geo.profiles.validation`) judges a streamed hiking layer by its size, not its chunks' (a
layer of many chunks of a few thousand trails is no "small layer" validated by jsonschema on every feature), gives
jsonschema the layer's first features and a sample spread over the layer, and reads the trails' coordinates as
arrays (:class:`~odl_geo.profiles.compiled_json.NumberArrays`). Whatever the chunks, the findings are jsonschema's
on each chunk, feature for feature.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odl_geo.profiles import compiled_json, products, validation
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.compiled_json import MISSING, NumberArrays, ObjectColumns, compile_feature_schema
from odl_geo.profiles.hiking import LAYER_FEATURES, VALIDATION_STATE, HikingProfile
from odl_geo.profiles.schemas import load_schema
from odl_geo.report import Report
from odl_geo.theme import ThemeOptions, check_theme

REPO = Path(__file__).resolve().parents[2]
SCHEMA = "itineraire-randonnee.schema.json"
FIELDS = list(HikingProfile.roles[0].fields)


@pytest.fixture
def judged(monkeypatch):
    """Small layers through the fast path (bounds lowered); returns the sizes of the collections jsonschema read."""
    monkeypatch.setattr(validation, "SMALL_LAYER", 10)
    monkeypatch.setattr(validation, "PREFIX_FEATURES", 3)
    monkeypatch.setattr(validation, "SAMPLE_FEATURES", 6)
    sizes: list[int] = []
    official = products.validate_json_schema

    def spy(doc, schema):
        sizes.append(len(doc["features"]))
        return official(doc, schema)

    monkeypatch.setattr(products, "validate_json_schema", spy)
    return sizes, official


def _trails(n: int = 60):
    """The Cévennes sample conformed, repeated to ``n`` trails, with faults jsonschema rejects here and there."""
    run = check_theme(REPO / "examples/hiking/cevennes_itineraires.json", "hiking", ThemeOptions())
    frame = run.layers[0].frame
    frame = frame.iloc[np.arange(n) % len(frame)].reset_index(drop=True)
    geoms = list(frame.geometry.values)
    odd = {
        7: None,
        23: shapely.LineString([(3.5, 44.1, 100.0), (3.6, 44.2, 120.0)]),  # 3D: valid
        31: shapely.LineString([(3.5, 44.1), (3.5 + 1e-9, 44.1)]),  # one position once rounded
        44: shapely.Point(3.5, 44.1),
    }
    for i, g in odd.items():
        if i < n:
            geoms[i] = g
    frame = frame.set_geometry(geoms, crs=frame.crs)
    for i, name, value in ((12, "pratique", "ski alpin"), (38, "date_creation", "31/12/2020")):
        if i < n:
            frame.loc[i, name] = value
    return frame


def _chunks(frame, size: int):
    return [frame.iloc[i : i + size].reset_index(drop=True) for i in range(0, len(frame), size)]


def test_plan_single_chunk_is_the_whole_layer_rule():
    """A layer that comes as one chunk is validated as before: every feature when small, else the first
    PREFIX_FEATURES and SAMPLE_FEATURES more."""
    assert validation.LayerSample(40).plan(40) == (True, 0, 0)
    big = validation.SMALL_LAYER + 1
    assert validation.LayerSample(big).plan(big) == (False, validation.PREFIX_FEATURES, validation.SAMPLE_FEATURES)
    # unknown size: each chunk judged as a layer of its own
    assert validation.LayerSample(None).plan(40)[0] is True
    assert validation.LayerSample(-1).plan(big) == (False, validation.PREFIX_FEATURES, validation.SAMPLE_FEATURES)


def test_plan_spreads_the_sample_over_the_layer():
    total, size = 100_000, 3_000
    layer = validation.LayerSample(total)
    plans = [layer.plan(min(size, total - start)) for start in range(0, total, size)]
    assert not any(whole for whole, _, _ in plans)  # chunks below SMALL_LAYER: the fast path all the same
    assert sum(prefix for _, prefix, _ in plans) == validation.PREFIX_FEATURES  # the layer's first features
    sample = sum(s for _, _, s in plans)
    assert sample == validation.SAMPLE_FEATURES  # not SAMPLE_FEATURES per chunk
    assert layer.plan(2_900, again=True) == (False, 0, 0)  # validated again after rows were left out
    assert validation.LayerSample(4_000).plan(3_000) == (True, 0, 0)  # a small layer, however it is cut
    # a source that declared fewer features than it gives: the count seen so far decides
    short = validation.LayerSample(8)
    assert short.plan(3_000)[0] and not short.plan(3_000)[0]


@pytest.mark.parametrize("size", [1, 7, 25])
def test_chunks_of_a_large_layer(judged, size):
    sizes, official = judged
    frame = _trails()
    schema = load_schema(SCHEMA)
    layer = validation.LayerSample(len(frame))
    read = 0
    for chunk in _chunks(frame, size):
        expected = official(products.feature_collection(chunk, FIELDS), schema)
        sizes.clear()
        assert validation.validate_feature_frame(chunk, FIELDS, schema, layer) == expected
        assert len(sizes) == 1  # one sub-collection: the fast path, no fallback to every feature
        read += sizes[0]
        # the chunk without the features jsonschema rejected (--drop-invalid): only what stays flagged is read
        bad = {f for f, *_ in expected if f is not None}
        kept = chunk.drop(index=sorted(bad)).reset_index(drop=True)
        assert official(products.feature_collection(kept, FIELDS), schema) == []
        sizes.clear()
        assert validation.validate_feature_frame(kept, FIELDS, schema, layer, again=True) == []
        assert len(sizes) == 1
    # what jsonschema read: the faulty trails, the geometries read apart, the layer's prefix and sample
    rejected = {f for f, *_ in official(products.feature_collection(frame, FIELDS), schema) if f is not None}
    apart = set(validation._geometry_columns(np.asarray(frame.geometry.values, dtype=object))[1].tolist())
    budget = validation.PREFIX_FEATURES + validation.SAMPLE_FEATURES
    assert {12, 38, 7, 44} <= rejected and 31 in apart
    assert read <= budget + len(rejected | apart)
    assert read < len(frame) / 2


def test_small_layer_in_chunks_is_validated_whole(judged):
    sizes, official = judged
    frame = _trails(10)
    schema = load_schema(SCHEMA)
    layer = validation.LayerSample(len(frame))
    for chunk in _chunks(frame, 4):
        sizes.clear()
        assert validation.validate_feature_frame(chunk, FIELDS, schema, layer) == official(
            products.feature_collection(chunk, FIELDS), schema
        )
        assert sizes[0] == len(chunk)  # jsonschema read the whole chunk, as for any small layer


def test_profile_keeps_the_layer_budget(judged):
    """The hiking profile's streamed conforming hands each chunk the layer's budget; a chunk validated twice
    (--drop-invalid) is the same chunk, its sample not drawn again."""
    sizes, _ = judged
    frame = _trails(40)
    profile = HikingProfile()
    state = {LAYER_FEATURES: len(frame)}
    whole, chunked = Report(), Report()
    ds = profile.conform(ThemeDataset(frames={"main": frame}, source_names={"main": "t"}), None, Report())
    assert VALIDATION_STATE not in ds.notes.get("main", {})  # a whole layer: validated as it always was
    profile.validate(ds, whole)
    budgets = set()
    for chunk in _chunks(frame, 15):
        ds = profile.conform(ThemeDataset(frames={"main": chunk}, source_names={"main": "t"}), None, Report(), state)
        budgets.add(id(ds.notes["main"][VALIDATION_STATE]))
        profile.validate(ds, chunked)
        first = sizes[-1]
        profile.validate(ds, Report())
        assert sizes[-1] <= first  # the second time: the flagged features only
    assert budgets == {id(state[VALIDATION_STATE])}
    assert state[VALIDATION_STATE].seen == len(frame)

    def invalid(report):
        return sum(i.count for i in report.issues if i.code == "SCHEMA_INVALID")

    assert invalid(chunked) == invalid(whole) > 0


def _geometry_mapping_columns(geoms):
    """The compiled checker's two readings of the same geometries: dicts and arrays."""
    mappings = [products.geometry_mapping(g) for g in geoms]
    columns, odd = validation._geometry_columns(np.asarray(geoms, dtype=object))
    return mappings, columns, odd


def test_number_arrays_read_as_the_lists():
    """Coordinates as NumberArrays give the verdicts the same coordinates as Python lists give, and jsonschema
    rejects nothing they pass."""
    schema = load_schema(SCHEMA)
    schema["properties"]["features"]["items"]["properties"]["properties"] = {"type": "object"}  # geometry decides
    check = compile_feature_schema(schema)
    rng = np.random.default_rng(3)
    geoms = []
    for k in [2, 3, 30, 2, 5]:
        geoms.append(shapely.LineString(rng.uniform(3, 4, size=(k, 2))))
        geoms.append(shapely.LineString(rng.uniform(3, 4, size=(k, 3))))
    geoms += [shapely.LineString([(3.5, 44.1), (3.5 + 1e-9, 44.1)]), None, shapely.Point(1, 2), shapely.LineString()]
    mappings, columns, odd = _geometry_mapping_columns(geoms)
    assert odd.tolist() == [10, 11, 12, 13]
    n = len(geoms)
    props = ObjectColumns(n, {})
    as_lists = check(ObjectColumns(n, {"type": ["Feature"] * n, "properties": props, "geometry": mappings}))
    as_arrays = check(ObjectColumns(n, {"type": ["Feature"] * n, "properties": props, "geometry": columns}))
    ok = np.ones(n, dtype=bool)
    ok[odd] = False
    assert (as_arrays[ok] == as_lists[ok]).all()
    assert not as_lists[ok].any() and as_lists[odd].all()  # LineStrings of 2+ positions pass
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": m} for m in mappings]}  # fmt: skip
    rejected = {f for f, *_ in products.validate_json_schema(doc, schema) if f is not None}
    assert rejected == {10, 11, 12, 13}  # a line of one position, no geometry, a point, an empty line (null)


@pytest.mark.parametrize(
    ("node", "arrays", "flagged"),
    [
        # positions of 1, 2 and 3 numbers against minItems 2
        (
            {"type": "array", "minItems": 2, "items": {"type": "number"}},
            ([0, 1, 3, 6], [1.0] * 6),
            [True, False, False],
        ),
        (
            {"type": "array", "maxItems": 2, "items": {"type": "number"}},
            ([0, 1, 3, 6], [1.0] * 6),
            [False, False, True],
        ),
        ({"type": "array", "items": {"type": "integer"}}, ([0, 1, 3], [1.0, 2.0, 2.5]), [False, True]),
        ({"type": "array", "items": {"type": "string"}}, ([0, 0, 1], [1.0]), [False, True]),
        ({"type": "object"}, ([0, 1], [1.0]), [True]),
        ({"type": ["array", "null"], "enum": [None]}, ([0, 1], [1.0]), [True]),  # enum: left to jsonschema
        ({"minLength": 3, "required": ["a"]}, ([0, 1], [1.0]), [False]),  # keywords of other types pass
    ],
)
def test_numeric_keywords(node, arrays, flagged):
    offsets, numbers = arrays
    geometry_node = {"type": "object", "properties": {"coordinates": node}}
    item = {"type": "object", "properties": {"geometry": geometry_node}}
    schema = {"type": "object", "properties": {"features": {"type": "array", "items": item}}}
    n = len(offsets) - 1
    values = NumberArrays(np.array(offsets), compiled_json.Numbers(np.array(numbers)))
    geometry = ObjectColumns(n, {"coordinates": values})
    got = compile_feature_schema(schema)(ObjectColumns(n, {"geometry": geometry, "x": [MISSING] * n}))
    assert got.tolist() == flagged


CELLS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.sampled_from(["pédestre", "boucle", "2020-12-31", "31/12/2020", "", "x" * 3, "VTT", "ski alpin"]),
)


@settings(derandomize=True, max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    cells=st.lists(st.tuples(st.integers(0, 29), st.sampled_from(FIELDS), CELLS), max_size=12),
    floats=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=30, max_size=30),
    size=st.sampled_from([4, 11, 30]),
)
def test_fuzzed_chunks_against_jsonschema(judged, cells, floats, size):
    """Whatever the values (numbers where text is due, infinities, booleans...) and the float columns, the
    findings of each chunk are those of jsonschema on every feature of that chunk."""
    sizes, official = judged
    frame = _trails(30)
    frame["longueur"] = np.array(floats, dtype=np.float64)  # a float column: its own path
    for row, field, value in cells:
        column = frame[field.name].astype(object)
        column.iloc[row] = value
        frame[field.name] = column
    schema = load_schema(SCHEMA)
    layer = validation.LayerSample(len(frame))
    for chunk in _chunks(frame, size):
        expected = official(products.feature_collection(chunk, FIELDS), schema)
        sizes.clear()
        assert validation.validate_feature_frame(chunk, FIELDS, schema, layer) == expected
        assert len(sizes) == 1  # the fast path, no fallback

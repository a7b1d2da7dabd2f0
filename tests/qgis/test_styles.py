"""The committed theme styles (styles/<theme>/*.qml, *.se.sld, *.sld): well-formed, SLD 1.0 structurally valid
(and against the official XSD when ODL_OGC_SCHEMAS points at an offline copy), classified on exactly the codes of
the national schemas, loadable by QGIS, and rendering their colours on real (or, for PEI, generated) data.

The expected codes are read here independently of scripts/make_styles.py: JSON schemas with ``json``, the CNIG
code lists by running the standard's own SQL in SQLite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRenderContext,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize, QVariant
from qgis.PyQt.QtGui import QColor, QImage, QPainter

REPO = Path(__file__).resolve().parents[2]
STYLES = REPO / "odl_geo" / "styles"  # package data; styles/<theme> are links to it
SCRIPT = REPO / "scripts" / "make_styles.py"
NAMES = {
    "hiking": ["itineraire_randonnee"],
    "pei": ["point_eau_incendie"],
    "water": ["point_eau"],
    "flood": ["zonealeareference_s", "zonereglementaireurba_s", "perimetre_s"],
}
ALL = [(theme, name) for theme, names in NAMES.items() for name in names]
SLD, SE, OGC = "http://www.opengis.net/sld", "http://www.opengis.net/se", "http://www.opengis.net/ogc"
NS = {"sld": SLD, "se": SE, "ogc": OGC}


def _script():
    spec = importlib.util.spec_from_file_location("make_styles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _path(theme: str, name: str, ext: str) -> Path:
    return STYLES / theme / f"{name}{ext}"


# --------------------------------------------------------------------------------------------- schema codes
def _json_enum_hiking(shared: Path) -> list[str]:
    schema = json.loads((shared / "schemas/itineraire-randonnee/schema.json").read_text(encoding="utf-8"))
    return schema["definitions"]["properties_randonnee"]["properties"]["pratique"]["enum"]


def _pei_field(shared: Path, name: str) -> dict:
    schema = json.loads((shared / "schemas/point-eau-incendie/schema.json").read_text(encoding="utf-8"))
    return next(f for f in schema["fields"] if f["name"] == name)


def _cnig_codelist(shared: Path, table: str) -> dict[str, str]:
    """Run the standard's own CREATE TABLE + INSERT for one enumeration table in SQLite."""
    sql = (shared / "schemas/cnig-ppr/typeppr_codegasparppr-2154.sql").read_text(encoding="utf-8")
    create = re.search(rf"CREATE TABLE {table} \(.*?\);", sql, re.DOTALL).group(0)
    insert = re.search(rf"INSERT INTO {table} VALUES.*?;", sql, re.DOTALL).group(0)
    db = sqlite3.connect(":memory:")
    db.executescript(create + insert)
    return dict(db.execute(f"SELECT code, libelle FROM {table} ORDER BY code"))


# --------------------------------------------------------------------------------------------- XML level
@pytest.mark.parametrize(("theme", "name"), ALL)
@pytest.mark.parametrize("ext", [".qml", ".se.sld", ".sld"])
def test_style_file_is_well_formed_xml(theme, name, ext):
    root = etree.parse(str(_path(theme, name, ext))).getroot()
    if ext == ".qml":
        assert root.tag == "qgis" and root.get("version", "").startswith("3.22")
        assert root.find("renderer-v2") is not None
    else:
        assert root.tag == f"{{{SLD}}}StyledLayerDescriptor"
        assert root.get("version") == ("1.0.0" if ext == ".sld" else "1.1.0")
        assert root.findtext("sld:NamedLayer/" + ("sld:Name" if ext == ".sld" else "se:Name"), namespaces=NS) == name


@pytest.mark.parametrize(("theme", "name"), ALL)
def test_sld10_is_the_documented_transform_of_the_qgis_export(theme, name):
    sld10, _ = _script().se_to_sld10(_path(theme, name, ".se.sld").read_bytes())
    assert sld10 == _path(theme, name, ".sld").read_bytes()


# SLD 1.0.0 content models (OGC 02-070, StyledLayerDescriptor.xsd) of the elements these styles use: the ordered
# slots of each element's sequence, as (allowed local names, may repeat, required).
_ONE, _MANY = False, True
SLD10_MODEL: dict[str, list[tuple[set[str], bool, bool]]] = {
    "StyledLayerDescriptor": [
        ({"Name"}, _ONE, False),
        ({"Title"}, _ONE, False),
        ({"Abstract"}, _ONE, False),
        ({"NamedLayer", "UserLayer"}, _MANY, False),
    ],
    "NamedLayer": [
        ({"Name"}, _ONE, True),
        ({"LayerFeatureConstraints"}, _ONE, False),
        ({"NamedStyle", "UserStyle"}, _MANY, False),
    ],
    "UserStyle": [
        ({"Name"}, _ONE, False),
        ({"Title"}, _ONE, False),
        ({"Abstract"}, _ONE, False),
        ({"IsDefault"}, _ONE, False),
        ({"FeatureTypeStyle"}, _MANY, True),
    ],
    "FeatureTypeStyle": [
        ({"Name"}, _ONE, False),
        ({"Title"}, _ONE, False),
        ({"Abstract"}, _ONE, False),
        ({"FeatureTypeName"}, _ONE, False),
        ({"SemanticTypeIdentifier"}, _MANY, False),
        ({"Rule"}, _MANY, True),
    ],
    "Rule": [
        ({"Name"}, _ONE, False),
        ({"Title"}, _ONE, False),
        ({"Abstract"}, _ONE, False),
        ({"LegendGraphic"}, _ONE, False),
        ({"Filter", "ElseFilter"}, _ONE, False),
        ({"MinScaleDenominator"}, _ONE, False),
        ({"MaxScaleDenominator"}, _ONE, False),
        ({"LineSymbolizer", "PolygonSymbolizer", "PointSymbolizer", "TextSymbolizer", "RasterSymbolizer"}, _MANY, True),
    ],
    "LineSymbolizer": [({"Geometry"}, _ONE, False), ({"Stroke"}, _ONE, False)],
    "PolygonSymbolizer": [({"Geometry"}, _ONE, False), ({"Fill"}, _ONE, False), ({"Stroke"}, _ONE, False)],
    "PointSymbolizer": [({"Geometry"}, _ONE, False), ({"Graphic"}, _ONE, False)],
    "TextSymbolizer": [
        ({"Geometry"}, _ONE, False),
        ({"Label"}, _ONE, False),
        ({"Font"}, _ONE, False),
        ({"LabelPlacement"}, _ONE, False),
        ({"Halo"}, _ONE, False),
        ({"Fill"}, _ONE, False),
    ],
    "Graphic": [
        ({"ExternalGraphic", "Mark"}, _MANY, False),
        ({"Opacity"}, _ONE, False),
        ({"Size"}, _ONE, False),
        ({"Rotation"}, _ONE, False),
    ],
    "Mark": [({"WellKnownName"}, _ONE, False), ({"Fill"}, _ONE, False), ({"Stroke"}, _ONE, False)],
    "Fill": [({"GraphicFill"}, _ONE, False), ({"CssParameter"}, _MANY, False)],
    "Stroke": [({"GraphicFill", "GraphicStroke"}, _ONE, False), ({"CssParameter"}, _MANY, False)],
    "Font": [({"CssParameter"}, _MANY, False)],
    "LabelPlacement": [({"PointPlacement", "LinePlacement"}, _ONE, True)],
    "LinePlacement": [({"PerpendicularOffset"}, _ONE, False)],
    "PointPlacement": [({"AnchorPoint"}, _ONE, False), ({"Displacement"}, _ONE, False), ({"Rotation"}, _ONE, False)],
    "Halo": [({"Radius"}, _ONE, False), ({"Fill"}, _ONE, False)],
}
# leaves: text (or, for the ParameterValueType ones, ogc expressions) only
SLD10_LEAVES = {
    "Name",
    "Title",
    "Abstract",
    "CssParameter",
    "WellKnownName",
    "Opacity",
    "Size",
    "Rotation",
    "Label",
    "Radius",
    "PerpendicularOffset",
    "IsDefault",
    "MinScaleDenominator",
    "MaxScaleDenominator",
}
CSS_PARAMETERS = {
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-opacity",
    "stroke-width",
    "stroke-linejoin",
    "stroke-linecap",
    "stroke-dasharray",
    "stroke-dashoffset",
    "font-family",
    "font-style",
    "font-weight",
    "font-size",
}


def _sld10_problems(el: etree._Element, path: str = "") -> list[str]:
    """Everything in ``el`` that the SLD 1.0.0 schema would reject (for the elements of SLD10_MODEL)."""
    qname = etree.QName(el)
    here = f"{path}/{qname.localname}"
    if qname.namespace == OGC:
        return []  # filters and expressions: Filter Encoding 1.0, same namespace in both versions
    if qname.namespace != SLD:
        return [f"{here}: namespace {qname.namespace}"]
    children = [c for c in el if isinstance(c.tag, str)]
    if qname.localname in SLD10_LEAVES:
        problems = [f"{here}: child {c.tag}" for c in children if etree.QName(c).namespace != OGC]
        if qname.localname == "CssParameter" and el.get("name") not in CSS_PARAMETERS:
            problems.append(f"{here}: CssParameter name={el.get('name')}")
        return problems
    model = SLD10_MODEL.get(qname.localname)
    if model is None:
        return [f"{here}: element not allowed in SLD 1.0 (or not covered by this check)"]
    problems, slot, used = [], 0, set()
    for child in children:
        cq = etree.QName(child)
        if cq.namespace not in (SLD, OGC):
            problems.append(f"{here}/{cq.localname}: namespace {cq.namespace}")
            continue
        local = "Filter" if (cq.namespace, cq.localname) == (OGC, "Filter") else cq.localname
        index = next((i for i in range(slot, len(model)) if local in model[i][0]), None)
        if index is None:
            problems.append(f"{here}: <{local}> not allowed here (order or content)")
            continue
        if index in used and not model[index][1]:
            problems.append(f"{here}: <{local}> repeated")
        slot, used = index, used | {index}
        problems += _sld10_problems(child, here)
    problems += [f"{here}: missing {sorted(m[0])}" for i, m in enumerate(model) if m[2] and i not in used]
    return problems


@pytest.mark.parametrize(("theme", "name"), ALL)
def test_sld10_follows_the_sld_1_0_0_content_model(theme, name):
    root = etree.parse(str(_path(theme, name, ".sld"))).getroot()
    assert root.get("version") == "1.0.0"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == (
        f"{SLD} http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd"
    )
    assert SE not in {etree.QName(e).namespace for e in root.iter() if isinstance(e.tag, str)}
    assert _sld10_problems(root) == []


def test_sld10_content_model_check_catches_se_leftovers():
    bad = etree.fromstring(
        f'<StyledLayerDescriptor xmlns="{SLD}" xmlns:se="{SE}" version="1.0.0"><NamedLayer><Name>x</Name><UserStyle>'
        "<FeatureTypeStyle><Rule><Title>t</Title><Name>n</Name><LineSymbolizer><Stroke>"
        '<se:SvgParameter name="stroke">#000000</se:SvgParameter></Stroke></LineSymbolizer>'
        "<TextSymbolizer><Label>a</Label><VendorOption name='followLine'>true</VendorOption></TextSymbolizer>"
        "</Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"
    )
    problems = _sld10_problems(bad)
    assert any("<Name> not allowed here" in p for p in problems)  # Title before Name
    assert any("namespace http://www.opengis.net/se" in p for p in problems)
    assert any("<VendorOption> not allowed here" in p for p in problems)


# ------------------------------------------------------------------------------------ classification = schema
def _sld_literals(path: Path, field: str) -> list[str]:
    """Literal values compared with ``field`` in each rule's filter, rule by rule (first one only)."""
    values = []
    for rule in etree.parse(str(path)).getroot().iter(f"{{{SLD}}}Rule", f"{{{SE}}}Rule"):
        for eq in rule.iterfind(".//ogc:PropertyIsEqualTo", NS):
            if eq.findtext("ogc:PropertyName", namespaces=NS) == field:
                values.append(eq.findtext("ogc:Literal", namespaces=NS))
                break
    return values


def _qml_layer(theme: str, name: str, uri: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(uri, name, "memory")
    msg, ok = layer.loadNamedStyle(str(_path(theme, name, ".qml")))
    assert ok, msg
    QgsProject.instance().addMapLayer(layer, False)
    return layer


def test_hiking_categories_are_the_schema_pratique_enum(qgis_new_project, shared_data):
    enum = _json_enum_hiking(shared_data)
    renderer = _qml_layer("hiking", "itineraire_randonnee", "LineString?field=pratique:string").renderer()
    assert renderer.classAttribute() == "pratique"
    assert [c.value() for c in renderer.categories()] == enum
    assert [c.label() for c in renderer.categories()][:3] == ["Pédestre", "Trail", "VTT"]
    for ext in (".se.sld", ".sld"):
        assert _sld_literals(_path("hiking", "itineraire_randonnee", ext), "pratique") == enum


def test_pei_rules_cover_every_type_and_availability(qgis_new_project, shared_data):
    field = _pei_field(shared_data, "type_pei")
    enum = field["constraints"]["enum"]
    assert enum == ["PI", "BI", "PA", "CI"]
    renderer = _qml_layer("pei", "point_eau_incendie", "Point?field=type_pei:string").renderer()
    rules = renderer.rootRule().children()
    assert len(rules) == len(enum) * 3
    assert [r.label().split(" – ")[0] for r in rules]  # noqa: RUF001 == [c for c in enum for _ in range(3)]
    assert {r.label().rsplit(" : ", 1)[1] for r in rules} == {
        "disponible",
        "indisponible",
        "disponibilité non renseignée",
    }
    label = "Poteau d’Incendie"  # noqa: RUF001 (the schema's typographic apostrophe)
    assert label in rules[0].label() and label in field["description"]
    for ext in (".se.sld", ".sld"):
        assert _sld_literals(_path("pei", "point_eau_incendie", ext), "type_pei") == [c for c in enum for _ in "abc"]
    assert _pei_field(shared_data, "disponible")["type"] == "boolean"


@pytest.mark.parametrize(
    ("name", "field", "table"),
    [
        ("zonealeareference_s", "niveaualea", "typeniveaualea"),
        ("zonereglementaireurba_s", "typereglement", "typereglementurba"),
    ],
)
def test_flood_categories_are_the_cnig_code_list(qgis_new_project, shared_data, name, field, table):
    codes = _cnig_codelist(shared_data, table)
    renderer = _qml_layer("flood", name, f"Polygon?field={field}:string").renderer()
    assert renderer.classAttribute() == field
    assert {c.value(): c.label() for c in renderer.categories()} == codes
    for ext in (".se.sld", ".sld"):
        assert _sld_literals(_path("flood", name, ext), field) == list(codes)


# ------------------------------------------------------------------------------------------------- rendering
def _render(layer: QgsVectorLayer, size: int = 400) -> np.ndarray:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    extent = layer.extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(size, size * 3 // 4))
    settings.setBackgroundColor(QColor("#ffffff"))
    image = QImage(settings.outputSize(), QImage.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.start()
    job.waitForFinished()
    painter.end()
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    bgra = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.width(), 4)
    return bgra[:, :, 2::-1].astype(int)  # -> RGB


def _count(rgb: np.ndarray, colour: str, alpha: float = 1.0, tolerance: int = 10) -> int:
    """Pixels of ``colour`` (painted with ``alpha`` over white)."""
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()]) * alpha + 255 * (1 - alpha)
    return int((np.abs(rgb - target) <= tolerance).all(axis=2).sum())


def _ogr_layer(path: Path, name: str, sublayer: str = "") -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{path}|layername={sublayer}" if sublayer else str(path), name, "ogr")
    assert layer.isValid(), path
    QgsProject.instance().addMapLayer(layer, False)
    return layer


def _styled_renders(
    layer: QgsVectorLayer, theme: str, name: str, colours: dict[str, float], sld_layer: QgsVectorLayer | None = None
) -> None:
    """QML, SE 1.1 and SLD 1.0 each load and draw every expected colour (colour -> opacity) on the layer
    (the SLDs on ``sld_layer`` when given)."""
    for ext in (".qml", ".se.sld", ".sld"):
        path = str(_path(theme, name, ext))
        if ext != ".qml" and sld_layer is not None:
            layer = sld_layer
        msg, ok = layer.loadNamedStyle(path) if ext == ".qml" else layer.loadSldStyle(path)
        assert ok, (ext, msg)
        rgb = _render(layer)
        assert (rgb != 255).any(axis=2).sum() > 200, f"{name}{ext}: almost nothing drawn"
        for colour, alpha in colours.items():
            assert _count(rgb, colour, alpha) > 20, f"{name}{ext}: no {colour} pixels"


def test_hiking_style_renders_the_cevennes_trails(qgis_new_project, data_copy):
    trails = _ogr_layer(data_copy("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"), "trails")
    assert {f["pratique"] for f in trails.getFeatures()} == {"pédestre", "VTT"}
    _styled_renders(trails, "hiking", "itineraire_randonnee", {"#d7301f": 1.0, "#1f78b4": 1.0})


def test_water_style_renders_the_montpellier_fountains(qgis_new_project, data_copy):
    fountains = _ogr_layer(data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"), "f")
    _styled_renders(fountains, "water", "point_eau", {"#1e9bd7": 1.0})


@pytest.mark.parametrize(
    ("name", "table", "colours"),
    [
        (
            "zonereglementaireurba_s",
            "zonereglementaireurba_s",
            {"#3d8bdb": 0.7, "#a50f15": 0.7},
        ),  # 02 blue, 04 dark red
        ("zonealeareference_s", "zonealeareference_312_s", {"#ffeb3b": 0.8, "#ffa726": 0.8}),  # 01 yellow, 02 orange
        ("perimetre_s", "perimetre_s", {"#2d004b": 1.0}),
    ],
)
def test_flood_styles_render_the_cnig_geopackage(qgis_new_project, data_copy, name, table, colours):
    """The QML on the GeoPackage itself; the SLDs on an in-memory copy, see the next test for why."""
    gpkg = _ogr_layer(
        data_copy("flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"), name, f"pprm_38ddt20180002_{table}"
    )
    memory = gpkg.materialize(QgsFeatureRequest())
    QgsProject.instance().addMapLayer(memory, False)
    _styled_renders(gpkg, "flood", name, colours, sld_layer=memory)


def test_qgis_sld_import_reads_code_literals_as_numbers(qgis_new_project, data_copy):
    """Known QGIS 3.22 limitation, pinned: its SLD reader turns <ogc:Literal>04</ogc:Literal> into the number 4.
    QGIS itself then still matches '04' (it compares numerically), but on a GeoPackage/PostGIS layer the filter is
    compiled to SQL ("typereglement" = 4 against TEXT '04') and selects nothing. GeoServer compares the literal with
    the attribute's type (text) and is not affected. So in QGIS use the QML; the SLDs are for GeoServer."""
    layer = _ogr_layer(
        data_copy("flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"),
        "reg",
        "pprm_38ddt20180002_zonereglementaireurba_s",
    )
    assert _sld_literals(_path("flood", "zonereglementaireurba_s", ".sld"), "typereglement")[3] == "04"
    msg, ok = layer.loadSldStyle(str(_path("flood", "zonereglementaireurba_s", ".sld")))
    assert ok, msg
    rule = layer.renderer().rootRule().children()[3]
    assert rule.filterExpression() == "typereglement = 4"
    request = QgsFeatureRequest().setFilterExpression(rule.filterExpression())
    assert sum(1 for _ in layer.getFeatures(request)) == 0  # compiled to SQL by the OGR provider: no match
    assert sum(1 for f in layer.getFeatures() if f["typereglement"] == "04") == 300


def _generated_pei(path: Path, kind: QVariant.Type) -> Path:
    """GENERATED PEI (no real open PEI data exists): every type x (available, unavailable, unknown), SDIS-style ids,
    Hérault INSEE codes, Lambert-93 points; ``disponible`` stored as ``kind`` (boolean, integer 0/1 or text "1"/"0")."""
    values = {QVariant.Bool: (True, False, None), QVariant.Int: (1, 0, None), QVariant.String: ("1", "0", "")}[kind]
    layer = QgsVectorLayer("Point?crs=EPSG:2154", "pei", "memory")
    layer.dataProvider().addAttributes(
        [
            QgsField("insee", QVariant.String),
            QgsField("id_sdis", QVariant.String),
            QgsField("type_pei", QVariant.String),
            QgsField("disponible", kind),
        ]
    )
    layer.updateFields()
    features = []
    for i, code in enumerate(["PI", "BI", "PA", "CI"]):
        for j, state in enumerate(values):
            f = QgsFeature(layer.fields())
            f.setAttributes([("34172", "34142", "34057", "34154")[i], f"SDIS34-{i}{j:03d}", code, state])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(765000 + 400 * i, 6279000 + 400 * j)))
            features.append(f)
    layer.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    error = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(path), QgsProject.instance().transformContext(), options
    )
    assert error[0] == QgsVectorFileWriter.NoError, error
    del layer
    return path


@pytest.mark.parametrize("kind", [QVariant.Bool, QVariant.Int, QVariant.String], ids=["boolean", "integer", "text"])
def test_pei_style_puts_every_point_in_exactly_one_rule(qgis_new_project, tmp_path, kind):
    layer = _ogr_layer(_generated_pei(tmp_path / "pei.gpkg", kind), "pei")
    assert layer.fields().field("disponible").type() == kind
    for ext in (".qml", ".se.sld", ".sld"):
        path = str(_path("pei", "point_eau_incendie", ext))
        msg, ok = layer.loadNamedStyle(path) if ext == ".qml" else layer.loadSldStyle(path)
        assert ok, msg
        renderer, context = layer.renderer(), QgsRenderContext()
        context.setExpressionContext(layer.createExpressionContext())
        renderer.startRender(context, layer.fields())
        labels = {item.ruleKey(): item.label() for item in renderer.legendSymbolItems()}
        states: dict[str, list[str]] = {}
        for feature in layer.getFeatures():
            context.expressionContext().setFeature(feature)
            keys = set(renderer.legendKeysForFeature(feature, context)) & set(labels)  # minus the root rule
            assert len(keys) == 1, (ext, feature.attributes(), keys)
            code, _, state = labels[next(iter(keys))].partition(" – ")  # noqa: RUF001
            assert code == feature["type_pei"], (ext, feature.attributes())
            states.setdefault(code, []).append(state.rsplit(" : ", 1)[1])
        renderer.stopRender(context)
        assert states == {
            code: ["disponible", "indisponible", "disponibilité non renseignée"] for code in ("PI", "BI", "PA", "CI")
        }, ext
        rgb = _render(layer)
        for colour in ("#d7191c", "#1f62b4", "#bdbdbd", "#000000"):  # hydrants, reserves, unknown, unavailable cross
            assert _count(rgb, colour) > 10, (ext, colour)


# ------------------------------------------------------------------------------------------------ the script
def test_make_styles_rewrites_the_committed_files_identically(tmp_path):
    """The committed styles are the script's output, and the script is deterministic."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--no-img", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(STYLES) for p in STYLES.rglob("*") if p.suffix in (".qml", ".sld"))
    assert made == committed
    stale = [str(p) for p in made if (tmp_path / p).read_bytes() != (STYLES / p).read_bytes()]
    assert not stale, f"styles/ is stale, re-run scripts/make_styles.py: {stale}"


def test_se_to_sld10_maps_drops_and_refuses():
    convert = _script().se_to_sld10
    se = (
        f'<StyledLayerDescriptor xmlns="{SLD}" xmlns:se="{SE}" xmlns:ogc="{OGC}" version="1.1.0"><NamedLayer>'
        "<se:Name>n</se:Name><UserStyle><se:Name>n</se:Name><se:FeatureTypeStyle><se:Rule><se:Name>r</se:Name>"
        "<se:Description><se:Title>Titre</se:Title><se:Abstract>Résumé</se:Abstract></se:Description>"
        "<ogc:Filter><ogc:PropertyIsLike wildCard='%' singleChar='_' escapeChar='!'><ogc:PropertyName>a"
        "</ogc:PropertyName><ogc:Literal>x%</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>"
        "<se:TextSymbolizer><se:Label>l</se:Label><se:LabelPlacement><se:LinePlacement><se:GeneralizeLine>true"
        "</se:GeneralizeLine></se:LinePlacement></se:LabelPlacement><se:VendorOption name='group'>yes"
        "</se:VendorOption></se:TextSymbolizer><se:LineSymbolizer><se:Stroke><se:SvgParameter name='stroke'>"
        "#123456</se:SvgParameter></se:Stroke></se:LineSymbolizer></se:Rule></se:FeatureTypeStyle></UserStyle>"
        "</NamedLayer></StyledLayerDescriptor>"
    )
    out, dropped = convert(se.encode())
    root = etree.fromstring(out)
    rule = root.find(".//sld:Rule", NS)
    assert [etree.QName(c).localname for c in rule] == [
        "Name",
        "Title",
        "Abstract",
        "Filter",
        "TextSymbolizer",
        "LineSymbolizer",
    ]
    assert root.find(".//sld:CssParameter[@name='stroke']", NS).text == "#123456"
    assert root.find(".//ogc:PropertyIsLike", NS).get("escape") == "!"
    assert dropped == ["LinePlacement/GeneralizeLine", "TextSymbolizer/VendorOption[@name=group]"]
    assert _sld10_problems(root) == []
    metre = se.replace("<se:LineSymbolizer>", '<se:LineSymbolizer uom="http://www.opengeospatial.org/se/units/metre">')
    with pytest.raises(ValueError, match=r"SLD 1\.0 sizes are pixels only"):
        convert(metre.encode())
    with pytest.raises(ValueError, match=r"no SLD 1\.0 mapping for SE element <se:ColorMap>"):
        convert(se.replace("<se:Label>l</se:Label>", "<se:ColorMap/>").encode())

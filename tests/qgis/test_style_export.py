"""The layer's own style exported for the map servers: QGIS's SLD and QML, fields renamed, SLD limits said."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsDropShadowEffect,
    QgsGeometryGeneratorSymbolLayer,
    QgsMarkerSymbol,
    QgsRendererCategory,
    QgsVectorLayer,
)

from qgis_plugin.style_export import export_layer_style, sld_limitations

REPO = Path(__file__).resolve().parents[2]
OGC = "http://www.opengis.net/ogc"


def _pei_layer(decorate=None) -> QgsVectorLayer:
    csv = REPO / "tests/data/pei/pei_generated_occitanie.csv"  # generated fixture (see its README)
    uri = f"file://{csv}?delimiter=;&xField=X&yField=Y&crs=EPSG:2154"
    layer = QgsVectorLayer(uri, "pei", "delimitedtext")
    assert layer.isValid()
    categories = []
    for code, colour in (("PI", "#d62728"), ("BI", "#1f77b4")):
        symbol = QgsMarkerSymbol.createSimple({"color": colour, "size": "3"})
        if decorate is not None:
            decorate(symbol)
        categories.append(QgsRendererCategory(code, symbol, code))
    layer.setRenderer(QgsCategorizedSymbolRenderer("type", categories))
    return layer


def test_a_plain_categorised_style_exports_cleanly_with_product_field_names(qgis_app, tmp_path):
    layer = _pei_layer()
    assert sld_limitations(layer) == []
    out = export_layer_style(layer, tmp_path, "pei", {"type": "type_pei"}, {"type_pei", "id_sdis"})
    names = {e.text for e in etree.parse(str(out.sld)).iter(f"{{{OGC}}}PropertyName")}
    assert names == {"type_pei"}  # classified on the published field, not the source's
    assert etree.parse(str(out.qml)).getroot().find("renderer-v2").get("attr") == "type_pei"
    assert out.warnings == []
    del layer


def test_what_sld_cannot_carry_is_said(qgis_app, tmp_path):
    def decorate(symbol):
        symbol.appendSymbolLayer(QgsGeometryGeneratorSymbolLayer.create({"geometryModifier": "buffer($geometry, 10)"}))
        shadow = QgsDropShadowEffect()
        shadow.setEnabled(True)
        symbol.symbolLayer(0).setPaintEffect(shadow)

    layer = _pei_layer(decorate)
    layer.setOpacity(0.5)
    warnings = sld_limitations(layer)
    assert any("GeometryGenerator" in w for w in warnings)
    assert any("effects" in w for w in warnings)
    assert any("opacity" in w for w in warnings)
    out = export_layer_style(layer, tmp_path, "pei", {}, {"type_pei"})
    assert any("'type'" in w and "not published" in w for w in out.warnings)  # classified on a dropped field
    del layer

"""A publisher's own style follows the product's field names (SLD for GeoServer, QML for QGIS Server)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from odl_geo.style_fields import rename_qml_fields, rename_sld_fields

STYLES = Path(__file__).resolve().parents[2] / "styles"
OGC = "http://www.opengis.net/ogc"

SE_SLD = b"""<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:se="http://www.opengis.net/se" version="1.1.0">
 <NamedLayer><se:Name>pei</se:Name><UserStyle><se:FeatureTypeStyle>
  <se:Rule><se:Name>Poteau</se:Name>
   <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>TYPE</ogc:PropertyName>
     <ogc:Literal>PI</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
   <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName></se:Mark></se:Graphic>
   </se:PointSymbolizer>
   <se:TextSymbolizer><se:Label><ogc:PropertyName>NUMERO</ogc:PropertyName></se:Label></se:TextSymbolizer>
  </se:Rule>
  <se:Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>ETAT</ogc:PropertyName>
     <ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></se:Rule>
 </se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"""

QML = b"""<!DOCTYPE qgis><qgis version="3.22.16" styleCategories="Symbology|Labeling">
 <renderer-v2 type="categorizedSymbol" attr="TYPE" symbollevels="0">
  <categories><category value="PI" symbol="0" label="Poteau"/></categories>
  <symbols><symbol name="0" type="marker"><layer class="SimpleMarker">
   <data_defined_properties><Option type="Map"><Option name="properties" type="Map">
    <Option name="size" type="Map"><Option name="expression" value="&quot;DEBIT&quot; / 30" type="QString"/>
   </Option></Option></Option></data_defined_properties></layer></symbol></symbols>
 </renderer-v2>
 <labeling type="simple"><settings><text-style fieldName="NUMERO" isExpression="0"/></settings></labeling>
 <rules><rule filter="&quot;TYPE&quot; = 'PI' AND &quot;Nom &quot;&quot;x&quot;&quot;&quot; IS NOT NULL"/></rules>
</qgis>"""

RENAMES = {"TYPE": "type_pei", "NUMERO": "id_sdis", "DEBIT": "debit", 'Nom "x"': "nom_etab"}


def test_sld_property_names_follow_the_product():
    out = rename_sld_fields(SE_SLD, RENAMES, published={"type_pei", "id_sdis", "debit"})
    names = [e.text for e in etree.fromstring(out.content).iter(f"{{{OGC}}}PropertyName")]
    assert names == ["type_pei", "id_sdis", "ETAT"]
    assert out.renamed == {"TYPE": "type_pei", "NUMERO": "id_sdis"}
    assert out.unknown == ["ETAT"]  # a rule on a field the product does not publish: the caller warns


def test_qml_attributes_and_expressions_follow_the_product():
    out = rename_qml_fields(QML, RENAMES, published={"type_pei", "id_sdis", "debit", "nom_etab"})
    root = etree.fromstring(out.content)
    assert root.find("renderer-v2").get("attr") == "type_pei"
    assert root.find(".//text-style").get("fieldName") == "id_sdis"
    assert root.find(".//Option[@name='expression']").get("value") == '"debit" / 30'
    assert root.find(".//rule").get("filter") == '"type_pei" = \'PI\' AND "nom_etab" IS NOT NULL'
    assert root.find(".//category").get("value") == "PI"  # a category value is data, not a field
    assert set(out.renamed) == {"TYPE", "NUMERO", "DEBIT", 'Nom "x"'} and out.unknown == []


def test_qml_classifying_on_an_unpublished_field_is_reported():
    out = rename_qml_fields(QML, {}, published={"type_pei"})
    assert out.unknown == ["TYPE"]


def test_committed_theme_styles_are_unchanged_without_renames():
    for path in sorted(STYLES.glob("*/*.sld")):
        before = etree.tostring(etree.parse(str(path)), encoding="UTF-8")
        after = rename_sld_fields(path.read_bytes(), {}).content
        assert etree.tostring(etree.fromstring(after), encoding="UTF-8") == before, path


def test_serve_prefers_the_output_folder_s_own_qml(tmp_path):
    from odl_geo.serve.styles import style_for

    own = tmp_path / "styles"
    own.mkdir()
    (own / "mine.qml").write_bytes(QML.replace(b'attr="TYPE"', b'attr="type_pei"'))
    style = style_for("point_eau_incendie", "Point", ["type_pei"], "pei", STYLES, 0, own)
    assert style.source == "styles/mine.qml"
    theme = style_for("point_eau_incendie", "Point", ["type_pei"], "pei", STYLES, 0, None)
    assert theme.source.startswith("styles/pei/")

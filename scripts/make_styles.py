"""Build the theme styles in QGIS and write them to ``styles/<theme>/``: QML, SE 1.1 SLD and SLD 1.0.

Run from the repository root (deterministic: a re-run rewrites identical files)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_styles.py            # styles + docs/img/styles_*.png
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_styles.py --no-img --out /tmp/styles

Every classification reads its codes and labels from the national schema files in ``../shared/data/schemas``
(``ODL_SHARED_DATA`` overrides ``../shared/data``); the colour tables below must cover exactly those codes, or
the script stops. Each renderer is built with the QGIS API on a memory layer that has the schema's fields, then:

- ``<name>.qml``: ``QgsVectorLayer.saveNamedStyle`` (symbology + labels);
- ``<name>.se.sld``: ``QgsVectorLayer.saveSldStyle``, QGIS's native export (SLD 1.1 with Symbology Encoding 1.1);
- ``<name>.sld``: SLD 1.0.0 for GeoServer, made from the SE file by :func:`se_to_sld10` (QGIS has no 1.0 export).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import uuid
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))

# ---------------------------------------------------------------------------------------------------------------
# SE 1.1 (QGIS export) -> SLD 1.0.0. No QGIS needed: the tests import this part.
# ---------------------------------------------------------------------------------------------------------------
SLD = "http://www.opengis.net/sld"
SE = "http://www.opengis.net/se"
OGC = "http://www.opengis.net/ogc"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SLD10_LOCATION = f"{SLD} http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd"

# SE elements that exist in SLD 1.0 under the same local name (the sld namespace instead of se).
SAME_NAME = frozenset({
    "Name", "Title", "Abstract", "FeatureTypeStyle", "Rule", "ElseFilter", "MinScaleDenominator",
    "MaxScaleDenominator", "LegendGraphic", "PointSymbolizer", "LineSymbolizer", "PolygonSymbolizer",
    "TextSymbolizer", "Geometry", "Graphic", "Mark", "WellKnownName", "ExternalGraphic", "OnlineResource", "Format",
    "Fill", "Stroke", "GraphicFill", "GraphicStroke", "Opacity", "Size", "Rotation", "Label", "Font",
    "LabelPlacement", "PointPlacement", "LinePlacement", "AnchorPoint", "AnchorPointX", "AnchorPointY",
    "Displacement", "DisplacementX", "DisplacementY", "PerpendicularOffset", "Halo", "Radius"
})
SYMBOLIZERS = frozenset({"PointSymbolizer", "LineSymbolizer", "PolygonSymbolizer", "TextSymbolizer"})
# (parent local name or "*", child local name): SE content that SLD 1.0 has no place for. Dropped and reported.
SE_ONLY = {
    ("*", "VendorOption"),  # GeoServer extension written by QGIS for labels; not in the SLD 1.0 schema
    ("LinePlacement", "GeneralizeLine"), ("LinePlacement", "IsRepeated"), ("LinePlacement", "InitialGap"),
    ("LinePlacement", "Gap"), ("LinePlacement", "IsAligned"),
    ("Graphic", "AnchorPoint"), ("Graphic", "Displacement"),
    ("LineSymbolizer", "PerpendicularOffset"), ("PolygonSymbolizer", "Displacement"),
    ("PolygonSymbolizer", "PerpendicularOffset"), ("NamedLayer", "Description"),
}


def se_to_sld10(se_xml: bytes) -> tuple[bytes, list[str]]:
    """Turn a QGIS SLD 1.1/SE 1.1 document into an SLD 1.0.0 document; return it and what was dropped.

    Rules (SLD 1.0.0, OGC 02-070, against SE 1.1, OGC 05-077r4):

    - every ``se:X`` becomes ``sld:X`` (same local name), except ``se:SvgParameter`` -> ``sld:CssParameter``;
    - ``se:Description`` (``se:Title``, ``se:Abstract``) is unwrapped into ``Title``/``Abstract`` in place, which
      is where SLD 1.0 wants them (after ``Name``); on a symbolizer or a NamedLayer (no title in 1.0), it goes;
    - SE-only content (:data:`SE_ONLY`, e.g. GeoServer ``VendorOption``, ``LinePlacement/GeneralizeLine``) is dropped
      and listed in the returned messages, so that a style can say what 1.0 loses;
    - ``ogc:`` filters are kept (same namespace in Filter 1.0 and 1.1); ``PropertyIsLike/@escapeChar`` -> ``@escape``;
    - the root gets ``version="1.0.0"`` and the 1.0.0 ``schemaLocation``.

    :raises ValueError: on an SE element or attribute this function does not know how to map (e.g. a ``uom``
        other than pixels, whose values SLD 1.0 cannot express): better stop than write a wrong style.
    """
    src = etree.fromstring(se_xml)
    if src.tag != f"{{{SLD}}}StyledLayerDescriptor":
        raise ValueError(f"not an SLD document: root is {src.tag}")
    dropped: list[str] = []
    root = etree.Element(f"{{{SLD}}}StyledLayerDescriptor", nsmap={None: SLD, "ogc": OGC, "xlink": XLINK, "xsi": XSI})
    root.set("version", "1.0.0")
    root.set(f"{{{XSI}}}schemaLocation", SLD10_LOCATION)
    for child in src:
        _convert(child, root, dropped)
    etree.cleanup_namespaces(root, top_nsmap={"ogc": OGC, "xlink": XLINK, "xsi": XSI})
    etree.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8") + b"\n", dropped


def _convert(el: etree._Element, parent: etree._Element, dropped: list[str]) -> None:
    if not isinstance(el.tag, str):  # comments, processing instructions
        return
    qname = etree.QName(el)
    ns, name, pname = qname.namespace, qname.localname, etree.QName(parent).localname
    if ns == OGC:
        attrs = {("escape" if k == "escapeChar" else k): v for k, v in el.attrib.items()}
        new = etree.SubElement(parent, el.tag, attrs)
        new.text = el.text
        for child in el:
            _convert(child, new, dropped)
        return
    if ns not in (SE, SLD):
        raise ValueError(f"unexpected namespace {ns} for <{name}> in <{pname}>")
    if ("*", name) in SE_ONLY or (pname, name) in SE_ONLY:
        dropped.append(f"{pname}/{name}" + (f"[@name={el.get('name')}]" if el.get("name") else ""))
        return
    if name == "Description":
        if pname in SYMBOLIZERS:
            dropped.append(f"{pname}/Description")
            return
        for child in el:  # se:Title, se:Abstract
            _convert(child, parent, dropped)
        return
    if ns == SE and name in SYMBOLIZERS and el.get("uom") not in (None, "http://www.opengeospatial.org/se/units/pixel"):
        raise ValueError(f"<{name} uom={el.get('uom')}>: SLD 1.0 sizes are pixels only; use millimetres or pixels")
    if ns == SLD or name in SAME_NAME or name == "SvgParameter":
        attrs = {k: v for k, v in el.attrib.items() if k != "uom"}
        if any(k not in ("name", f"{{{XLINK}}}href", f"{{{XLINK}}}type") for k in attrs):
            raise ValueError(f"<{name}>: unexpected attributes {sorted(attrs)}")
        new = etree.SubElement(parent, f"{{{SLD}}}{'CssParameter' if name == 'SvgParameter' else name}", attrs)
        new.text = el.text if len(el) == 0 or (el.text and el.text.strip()) else None
        for child in el:
            _convert(child, new, dropped)
        return
    raise ValueError(f"no SLD 1.0 mapping for SE element <se:{name}> in <{pname}>")


# ---------------------------------------------------------------------------------------------------------------
# Codes and labels, read from the national schema files
# ---------------------------------------------------------------------------------------------------------------
def hiking_pratiques(schemas: Path) -> list[str]:
    """The ``pratique`` enumeration of the Etalab ``itineraire-randonnee`` schema, in schema order."""
    schema = json.loads((schemas / "itineraire-randonnee/schema.json").read_text(encoding="utf-8"))
    return list(schema["definitions"]["properties_randonnee"]["properties"]["pratique"]["enum"])


def pei_types(schemas: Path) -> dict[str, str]:
    """``type_pei`` code -> label. Codes from the enum, labels from the field description ("PI (Poteau ...)")."""
    fields = json.loads((schemas / "point-eau-incendie/schema.json").read_text(encoding="utf-8"))["fields"]
    field = next(f for f in fields if f["name"] == "type_pei")
    text, labels = field["description"], {}
    for code in field["constraints"]["enum"]:
        start = text.index(f"{code} (") + len(code) + 2
        depth, end = 1, start
        while depth:  # balanced parentheses: "PA (Point d'aspiration aménagé (point de puisage…))"
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        labels[code] = text[start : end - 1]
    return labels


def cnig_codes(schemas: Path, table: str) -> dict[str, str]:
    """code -> libellé of a CNIG PPR enumeration table, from the INSERT of the standard's GeoPackage SQL."""
    sql = (schemas / "cnig-ppr/typeppr_codegasparppr-2154.sql").read_text(encoding="utf-8")
    block = re.search(rf"INSERT INTO {table} VALUES(.*?)\n\s*;", sql, re.DOTALL)
    if not block:
        raise ValueError(f"no INSERT INTO {table} in the CNIG SQL")
    return {c: lab.replace("''", "'") for c, lab in re.findall(r"\('([^']*)',\s*'((?:[^']|'')*)'\)", block.group(1))}


# ---------------------------------------------------------------------------------------------------------------
# Colour tables (sources in styles/README.md). Keys must equal the schema codes.
# ---------------------------------------------------------------------------------------------------------------
HIKING = {  # pratique: (colour, dash pattern in mm or None for a solid line)
    "pédestre": ("#d7301f", None), "trail": ("#f57c00", [2.2, 1.2]), "VTT": ("#1f78b4", None),
    "cyclo": ("#2e9e3a", None), "gravel": ("#8c6d31", [2.2, 1.2]), "équestre": ("#7b3f9e", None),
    "ski de fond": ("#00a0c8", [1.2, 1.0]), "ski de rando": ("#0b3d91", [3.0, 1.2]),
    "raquettes": ("#3e8e7e", [1.2, 1.0]), "autre": ("#6e6e6e", [2.2, 1.2]),
}
PEI_HYDRANT, PEI_RESERVE = "#d7191c", "#1f62b4"  # pressurised network (PI, BI) / static water reserves (PA, CI)
PEI = {"PI": ("circle", 0, 4.2, PEI_HYDRANT), "BI": ("square", 0, 3.6, PEI_HYDRANT),  # shape, angle, size mm, colour
       "PA": ("triangle", 0, 4.6, PEI_RESERVE), "CI": ("square", 45, 3.6, PEI_RESERVE)}
PEI_STATES = [  # (label suffix, QGIS expression on "disponible", works for boolean, integer 0/1 and text "1"/"0")
    ("disponible", "\"disponible\" IN (1, 'true')"),
    ("indisponible", "\"disponible\" IN (0, 'false')"),
    ("disponibilité non renseignée", "\"disponible\" IS NULL OR NOT (\"disponible\" IN (0, 1, 'false', 'true'))"),
]
ALEA = {  # typeniveaualea: (fill, outline)
    "00": ("#e3f2d9", "#8fbf7a"), "01": ("#ffeb3b", "#c7a900"), "02": ("#ffa726", "#c46d00"),
    "03": ("#f4511e", "#a83000"), "04": ("#e02020", "#8f0000"), "05": ("#a50f15", "#5c0000"),
    "06": ("#7b1fa2", "#3f0a56"), "07": ("#4a148c", "#1e0540"), "99": ("#bdbdbd", "#7a7a7a"),
}
REGLEMENT = {  # typereglementurba: (fill, outline)
    "01": ("#cfeac3", "#6fa85e"), "02": ("#3d8bdb", "#1a4f8a"), "03": ("#e8312f", "#99000d"),
    "04": ("#a50f15", "#5c0000"), "05": ("#c6dbef", "#5b8db8"), "06": ("#9e9e9e", "#5e5e5e"),
    "07": ("#d4c9e8", "#7d6aa6"),
}
ALEA_OPACITY, REGLEMENT_OPACITY = 0.8, 0.7


def _checked(name: str, table: dict, codes: list[str] | dict[str, str]) -> None:
    if set(table) != set(codes):
        raise SystemExit(f"{name}: colour table {sorted(table)} != schema codes {sorted(codes)}; update the table")


# ---------------------------------------------------------------------------------------------------------------
# QGIS part
# ---------------------------------------------------------------------------------------------------------------
def build_styles(schemas: Path) -> dict[str, list]:
    """theme -> [(style name, memory layer with its renderer)]."""
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFillSymbol,
        QgsLineSymbol,
        QgsMarkerSymbol,
        QgsPalLayerSettings,
        QgsRendererCategory,
        QgsRuleBasedRenderer,
        QgsSimpleFillSymbolLayer,
        QgsSimpleLineSymbolLayer,
        QgsSimpleMarkerSymbolLayer,
        QgsSimpleMarkerSymbolLayerBase,
        QgsSymbolLayer,
        QgsTextBufferSettings,
        QgsTextFormat,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QColor, QFont

    def layer(geom: str, name: str, fields: str) -> QgsVectorLayer:
        uri = f"{geom}?crs=EPSG:2154&" + "&".join(f"field={f}" for f in fields.split())
        lyr = QgsVectorLayer(uri, name, "memory")
        assert lyr.isValid(), uri
        return lyr

    def line_layer(colour: str, width: float, dash: list[float] | None, rendering_pass: int) -> QgsSymbolLayer:
        sl = QgsSimpleLineSymbolLayer(QColor(colour), width)
        sl.setPenCapStyle(Qt.RoundCap if dash is None else Qt.FlatCap)
        sl.setPenJoinStyle(Qt.RoundJoin)
        if dash:
            sl.setUseCustomDashPattern(True)
            sl.setCustomDashVector(dash)
        sl.setRenderingPass(rendering_pass)
        return sl

    def fill(colour: str, outline: str, opacity: float, width: float = 0.2) -> QgsFillSymbol:
        c = QColor(colour)
        c.setAlphaF(opacity)
        sym = QgsFillSymbol()
        sym.changeSymbolLayer(0, QgsSimpleFillSymbolLayer(c, Qt.SolidPattern, QColor(outline), Qt.SolidLine, width))
        return sym

    def marker(shape: str, angle: float, size: float, colour: str, outline: str, width: float) -> QgsMarkerSymbol:
        return QgsMarkerSymbol.createSimple({"name": shape, "angle": str(angle), "size": str(size), "color": colour,
                                             "outline_color": outline, "outline_width": str(width)})

    def rules(key: str, items: list[tuple[object, str, str]]) -> QgsRuleBasedRenderer:
        """Rule-based renderer from (symbol, QGIS filter expression, French label); stable rule keys."""
        root = QgsRuleBasedRenderer.Rule(None)
        root.setRuleKey(str(uuid.uuid5(uuid.NAMESPACE_URL, f"odl-geo/styles/{key}")))
        for sym, expression, label in items:
            rule = QgsRuleBasedRenderer.Rule(sym, 0, 0, expression, label)
            rule.setRuleKey(str(uuid.uuid5(uuid.NAMESPACE_URL, f"odl-geo/styles/{key}/{label}")))
            root.appendChild(rule)
        return QgsRuleBasedRenderer(root)

    def categorized(field: str, table: dict, labels: dict[str, str], make) -> QgsCategorizedSymbolRenderer:
        return QgsCategorizedSymbolRenderer(field, [QgsRendererCategory(c, make(*table[c]), labels[c]) for c in labels])

    # hiking: one category per "pratique", a white casing under every line (symbol levels), trail names along lines
    pratiques = hiking_pratiques(schemas)
    _checked("hiking", HIKING, pratiques)
    hiking = layer("MultiLineString", "itineraire_randonnee",
                   "id_local:string nom_itineraire:string pratique:string type_itineraire:string")

    def trail(colour: str, dash: list[float] | None) -> QgsLineSymbol:
        sym = QgsLineSymbol()
        sym.changeSymbolLayer(0, line_layer("#ffffff", 1.5, None, 0))
        sym.appendSymbolLayer(line_layer(colour, 0.7, dash, 1))
        return sym

    renderer = categorized("pratique", HIKING, {p: p[0].upper() + p[1:] for p in pratiques}, trail)
    renderer.setUsingSymbolLevels(True)
    hiking.setRenderer(renderer)
    label = QgsPalLayerSettings()
    label.fieldName, label.placement = "nom_itineraire", QgsPalLayerSettings.Line  # parallel: fits wiggly trails
    label.scaleVisibility, label.minimumScale = True, 150000  # names only from 1:150 000 in, where they fit
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans"))
    fmt.setSize(8)
    fmt.setColor(QColor("#333333"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    fmt.setBuffer(buffer)
    label.setFormat(fmt)
    hiking.setLabeling(QgsVectorLayerSimpleLabeling(label))
    hiking.setLabelsEnabled(True)

    # PEI: shape and colour by type_pei, fill by availability (rule-based: 4 types x 3 states)
    types = pei_types(schemas)
    _checked("pei", PEI, types)
    pei = layer("Point", "point_eau_incendie", "insee:string id_sdis:string type_pei:string disponible:boolean")
    pei_rules = []
    for code, (shape, angle, size, colour) in PEI.items():
        for state, expression in PEI_STATES:
            if state == "disponible":
                sym = marker(shape, angle, size, colour, "#333333", 0.25)
            elif state == "indisponible":
                sym = marker(shape, angle, size, "#ffffff", colour, 0.6)
                cross = QgsSimpleMarkerSymbolLayer(QgsSimpleMarkerSymbolLayerBase.Cross, size * 0.7, 45)
                cross.setColor(QColor("#000000"))  # QGIS draws a cross as lines; SLD readers fill the mark
                cross.setStrokeColor(QColor("#000000"))
                cross.setStrokeWidth(0.5)
                sym.appendSymbolLayer(cross)
            else:
                sym = marker(shape, angle, size, "#bdbdbd", colour, 0.6)
            label = f"{code} – {types[code]} : {state}"  # noqa: RUF001 (French typography)
            pei_rules.append((sym, f"\"type_pei\" = '{code}' AND ({expression})", label))
    pei.setRenderer(rules("pei", pei_rules))

    # generic water points (fountains, catchments, stations): one readable symbol
    water = layer("Point", "point_eau", "nom:string type:string")
    water.setRenderer(rules("water", [(marker("circle", 0, 3.2, "#1e9bd7", "#0b4f7c", 0.4), "", "Point d'eau")]))

    # flood, CNIG PPR: hazard level, regulatory zone type, perimeter outline
    niveaux, reglements = cnig_codes(schemas, "typeniveaualea"), cnig_codes(schemas, "typereglementurba")
    _checked("flood hazard", ALEA, niveaux)
    _checked("flood regulation", REGLEMENT, reglements)
    alea = layer("Polygon", "zonealeareference_s", "idzonealea:string codeprocedure:string typealea:string "
                 "niveaualea:string occurrence:integer description:string")
    alea.setRenderer(categorized("niveaualea", ALEA, niveaux, lambda f, o: fill(f, o, ALEA_OPACITY)))
    reg = layer("Polygon", "zonereglementaireurba_s", "idzonereglementaire:string codeprocedure:string "
                "codezonereglement:string libellezonereglement:string typereglement:string")
    reg.setRenderer(categorized("typereglement", REGLEMENT, reglements, lambda f, o: fill(f, o, REGLEMENT_OPACITY)))
    perimetre = layer("MultiPolygon", "perimetre_s", "idperimetre:string codeprocedure:string etatprocedure:string")
    perimetre_symbol = QgsFillSymbol()  # an outline only: a dashed line symbol layer on the polygon ring
    perimetre_symbol.changeSymbolLayer(0, line_layer("#2d004b", 0.6, [2.4, 1.2], 0))
    perimetre.setRenderer(rules("perimetre", [(perimetre_symbol, "", "Périmètre du PPR")]))
    return {"hiking": [("itineraire_randonnee", hiking)], "pei": [("point_eau_incendie", pei)],
            "water": [("point_eau", water)],
            "flood": [("zonealeareference_s", alea), ("zonereglementaireurba_s", reg), ("perimetre_s", perimetre)]}


def write_style(lyr: object, folder: Path, name: str) -> list[str]:
    """Write ``name``.qml, ``name``.se.sld (QGIS export) and ``name``.sld (1.0); return what 1.0 dropped."""
    from qgis.core import QgsMapLayer

    folder.mkdir(parents=True, exist_ok=True)
    msg, ok = lyr.saveNamedStyle(str(folder / f"{name}.qml"), QgsMapLayer.Symbology | QgsMapLayer.Labeling)
    if not ok:
        raise SystemExit(f"saveNamedStyle {name}: {msg}")
    msg, ok = lyr.saveSldStyle(str(folder / f"{name}.se.sld"))
    if not ok:
        raise SystemExit(f"saveSldStyle {name}: {msg}")
    sld10, dropped = se_to_sld10((folder / f"{name}.se.sld").read_bytes())
    (folder / f"{name}.sld").write_bytes(sld10)
    return dropped


DOC_BACKGROUND = "#f6f4ef"


def render_docs(img_dir: Path, shared: Path, qml: dict[str, Path]) -> None:
    """Render ``styles_<theme>.png`` (map + legend) with the written QML styles (by name) on real data, and on a
    generated layer for PEI (no open PEI data exists)."""
    import shutil
    import tempfile

    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle, QgsVectorLayer

    img_dir.mkdir(parents=True, exist_ok=True)
    project = QgsProject.instance()
    with tempfile.TemporaryDirectory() as tmp:  # shared data is read through a copy, never in place

        def load(rel: str, style: Path, title: str, sublayer: str = "") -> QgsVectorLayer:
            dest = Path(tmp) / Path(rel).name
            if not dest.exists():
                shutil.copy2(shared / rel, dest)
            lyr = QgsVectorLayer(f"{dest}|layername={sublayer}" if sublayer else str(dest), title, "ogr")
            assert lyr.isValid(), rel
            return _styled(project, lyr, style)

        hiking = load("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json",
                      qml["itineraire_randonnee"], "Itinéraires du Parc national des Cévennes")
        _export(img_dir / "styles_hiking.png", "Randonnée : itinéraires par pratique (schéma itineraire-randonnee)",
                [("Pratique", [hiking], None), (None, [hiking], QgsRectangle(745300, 6339000, 757700, 6347000))])

        pei = QgsVectorLayer("Point?crs=EPSG:2154&field=id_sdis:string&field=type_pei:string&field=disponible:integer",
                             "PEI (jeu généré)", "memory")
        rnd, feats = random.Random(2154), []
        for i, (code, state) in enumerate((c, s) for _ in range(3) for c in PEI for s in (1, 1, 0, None)):
            f = QgsFeature(pei.fields())
            f.setAttributes([f"34142-{i:04d}", code, state])
            xy = QgsPointXY(722000 + rnd.uniform(0, 3000), 6287000 + rnd.uniform(0, 2000))
            f.setGeometry(QgsGeometry.fromPointXY(xy))
            feats.append(f)
        pei.dataProvider().addFeatures(feats)
        pei.updateExtents()
        _export(img_dir / "styles_pei.png", "Points d'eau incendie : type et disponibilité (schéma point-eau-incendie)",
                [("Type de PEI et disponibilité", [_styled(project, pei, qml["point_eau_incendie"])], None)])

        water = load("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson", qml["point_eau"],
                     "Bornes fontaines (Montpellier)")
        _export(img_dir / "styles_water.png", "Points d'eau (générique) : bornes fontaines de Montpellier",
                [("Points d'eau", [water], None)])

        zoom = QgsRectangle(893830, 6496820, 897160, 6498630)  # the main valley of the PPR, in EPSG:2154
        gpkg = "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"
        perimetre = [load(gpkg, qml["perimetre_s"], "PPRM 38DDT20180002 (perimetre_s)",  # one per map (and legend)
                          "pprm_38ddt20180002_perimetre_s") for _ in range(2)]
        alea = load(gpkg, qml["zonealeareference_s"], "Aléa (zonealeareference_312_s)",
                    "pprm_38ddt20180002_zonealeareference_312_s")
        reg = load(gpkg, qml["zonereglementaireurba_s"], "Zonage réglementaire (zonereglementaireurba_s)",
                   "pprm_38ddt20180002_zonereglementaireurba_s")
        _export(img_dir / "styles_flood.png",
                "PPR (géostandard CNIG) : aléa et zonage réglementaire, PPRM 38DDT20180002",
                [("Niveau d'aléa", [perimetre[0], alea], zoom), ("Type de règlement", [perimetre[1], reg], zoom)])
    project.clear()


def _styled(project: object, lyr: object, qml: Path) -> object:
    msg, ok = lyr.loadNamedStyle(str(qml))
    if not ok:
        raise SystemExit(f"loadNamedStyle {qml}: {msg}")
    project.addMapLayer(lyr, False)  # the project owns the layer (and deletes it before QGIS exits)
    return lyr


def _export(path: Path, title: str, panels: list[tuple[str | None, list, object]]) -> None:
    """One column per panel (legend title or None, layers top first, EPSG:2154 extent or None for the layers'):
    a map and, below it, its legend."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsLayerTree,
        QgsLayoutExporter,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsMargins,
        QgsPrintLayout,
        QgsProject,
        QgsRectangle,
        QgsUnitTypes,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QFont

    project = QgsProject.instance()
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    col_w, map_h, keep, legends = 170.0, 110.0, [], []
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(10 + len(panels) * (col_w + 10), 260))
    label = QgsLayoutItemLabel(layout)
    label.setText(title)
    label.setFont(QFont("DejaVu Sans", 11, QFont.Bold))
    layout.addLayoutItem(label)
    label.attemptMove(QgsLayoutPoint(10, 5))
    label.attemptResize(QgsLayoutSize(len(panels) * (col_w + 10) - 10, 9))
    crs = QgsCoordinateReferenceSystem("EPSG:2154")
    for i, (subtitle, layers, zoom) in enumerate(panels):
        x = 10 + i * (col_w + 10)
        boxes = [QgsCoordinateTransform(lyr.crs(), crs, project).transformBoundingBox(lyr.extent()) for lyr in layers]
        extent = zoom or QgsRectangle(min(b.xMinimum() for b in boxes), min(b.yMinimum() for b in boxes),
                                      max(b.xMaximum() for b in boxes), max(b.yMaximum() for b in boxes))
        extent.scale(1.0 if zoom else 1.08)
        grow = (col_w / map_h) / (extent.width() / extent.height())  # fit the frame: setExtent() would resize it
        if grow > 1:
            extent = QgsRectangle(extent.center().x() - extent.width() * grow / 2, extent.yMinimum(),
                                  extent.center().x() + extent.width() * grow / 2, extent.yMaximum())
        else:
            extent = QgsRectangle(extent.xMinimum(), extent.center().y() - extent.height() / grow / 2,
                                  extent.xMaximum(), extent.center().y() + extent.height() / grow / 2)
        item = QgsLayoutItemMap(layout)
        layout.addLayoutItem(item)
        item.attemptMove(QgsLayoutPoint(x, 16))
        item.attemptResize(QgsLayoutSize(col_w, map_h))
        item.setCrs(crs)
        item.setKeepLayerSet(True)  # else the map shows the project's layer tree, where these layers are not
        item.setLayers(list(reversed(layers)))  # top of the list is drawn last
        item.setExtent(extent)
        item.setBackgroundColor(QColor(DOC_BACKGROUND))
        item.setFrameEnabled(True)
        if subtitle is None:
            continue
        legend = QgsLayoutItemLegend(layout)
        legend.setTitle(subtitle)
        legend.setLinkedMap(item)
        legend.setAutoUpdateModel(False)
        tree = QgsLayerTree()
        for lyr in reversed(layers):
            tree.addLayer(lyr)
        legend.model().setRootGroup(tree)
        keep.append(tree)
        layout.addLayoutItem(legend)
        legend.attemptMove(QgsLayoutPoint(x, 16 + map_h + 3))
        legends.append(legend)
    exporter = QgsLayoutExporter(layout)
    exporter.renderPageToImage(0)  # a legend cannot size itself before it was painted once (QGIS 3.22)
    for legend in legends:
        legend.adjustBoxSize()
    layout.pageCollection().resizeToContents(QgsMargins(4, 4, 4, 4), QgsUnitTypes.LayoutMillimeters)
    # QImage.save, not exportToImage: no date in the file (stable bytes) and no GDAL georeferencing attempt on a PNG
    if not exporter.renderPageToImage(0, QSize(), 110).save(str(path), "PNG"):
        raise SystemExit(f"cannot write {path}")
    print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "styles", help="styles root (default: styles/)")
    parser.add_argument("--schemas", type=Path, default=SHARED / "schemas", help="national schema files")
    parser.add_argument("--img", type=Path, default=REPO / "docs" / "img", help="where styles_<theme>.png go")
    parser.add_argument("--no-img", action="store_true", help="write the styles only")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_HASH_SEED"] = "0"  # Qt writes XML attributes in QHash order: a fixed seed makes the files stable
    from qgis.core import QgsApplication, QgsProject

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        project = QgsProject.instance()
        written: dict[str, Path] = {}
        for theme, items in build_styles(args.schemas).items():
            for name, lyr in items:
                project.addMapLayer(lyr, False)  # owned by the project, deleted by clear() before exitQgis()
                dropped = write_style(lyr, args.out / theme, name)
                written[name] = args.out / theme / f"{name}.qml"
                print(f"{theme}/{name}: .qml .se.sld .sld" + (f" (SLD 1.0 drops {dropped})" if dropped else ""))
        project.clear()
        if not args.no_img:
            render_docs(args.img, SHARED, written)
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())

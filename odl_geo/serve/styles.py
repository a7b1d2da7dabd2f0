"""Layer styles for the QGIS project: the theme's QML from ``styles/<theme>/`` when one fits, else a default.

A QML file is a ``<qgis>`` document whose children (``renderer-v2``, ``labeling``, ``blendMode``...) are
exactly what a ``<maplayer>`` element of a project holds, so a style is embedded by copying those children.
A theme style classifies on a field of the *standard* (``niveaualea``); a layer that does not have that field
(a raw source not yet conformed) would draw nothing at all, so it gets the style's first symbol as a single
symbol instead, and a note says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from ..profiles.styles import styles_root as theme_styles_root

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "OWN_STYLES",
    "LayerStyle",
    "default_style",
    "family_of",
    "find_theme_qml",
    "style_colours",
    "style_for",
    "styles_root",
]

#: the folder of an output folder that holds the publisher's own QML styles (before the theme's)
OWN_STYLES = "styles"
#: QGIS symbol type for each geometry family
SYMBOL_TYPE = {"point": "marker", "line": "line", "polygon": "fill"}
#: children of a QML root that are not part of the style (project-level or identity)
_SKIP_QML = {"id", "datasource", "layername", "srs", "provider", "extent", "wgs84extent"}

#: default colours per geometry family: readable on a light base map and on a transparent background
_PALETTE = {
    "point": ["31,120,180,255", "227,26,28,255", "51,160,44,255", "255,127,0,255"],
    "line": ["200,50,30,255", "31,120,180,255", "106,61,154,255", "51,160,44,255"],
    "polygon": ["51,160,44,110", "255,127,0,110", "106,61,154,110", "31,120,180,110"],
}
_OUTLINE = {"51,160,44,110": "33,102,29,255", "255,127,0,110": "178,88,0,255", "106,61,154,110": "74,42,108,255",
            "31,120,180,110": "21,84,126,255"}  # fmt: skip


@dataclass
class LayerStyle:
    """The elements to put into a ``<maplayer>``, where they came from, and what had to be adapted."""

    elements: list[etree._Element]
    source: str  # "styles/flood/zonealeareference_s.qml", or "default"
    notes: list[str] = field(default_factory=list)
    labels: bool = False


def styles_root(styles_dir: str | Path | None = None) -> Path | None:
    """``styles_dir``, else ``$ODL_GEO_STYLES``, else the packaged styles (see :mod:`odl_geo.profiles.styles`)."""
    return theme_styles_root(styles_dir)


def family_of(geometry_type: str | None) -> str | None:
    """``MultiPolygon Z`` -> ``polygon``; None for tables and unknown types."""
    low = (geometry_type or "").lower()
    for key, fam in (("point", "point"), ("line", "line"), ("polygon", "polygon")):
        if key in low:
            return fam
    return None


def _tokens(name: str) -> list[str]:
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return [t for t in re.split(r"[^a-z]+", flat) if len(t) >= 3]


def _symbol_types(qml: etree._Element) -> set[str]:
    return {s.get("type", "") for s in qml.iterfind("renderer-v2/symbols/symbol")}


def find_theme_qml(theme_dir: Path, layer_name: str, family: str) -> Path | None:
    """The theme's QML for this layer: its symbols must fit the geometry; the name decides between several.

    A layer matches a QML whose stem contains the layer name's words (``N_ZONE_ALEA_...`` ->
    ``zonealeareference_s.qml``). With a single QML of the right geometry, that one is used.
    """
    wanted = SYMBOL_TYPE[family]
    candidates = []
    for path in sorted(theme_dir.glob("*.qml")):
        try:
            root = etree.parse(str(path)).getroot()
        except (OSError, etree.XMLSyntaxError):
            continue
        if wanted in _symbol_types(root):
            candidates.append(path)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    stem_of = {p: re.sub(r"[^a-z]", "", p.stem.lower()) for p in candidates}
    scores = {p: sum(tok in stem_of[p] for tok in _tokens(layer_name)) for p in candidates}
    best = max(scores.values())
    winners = [p for p, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def style_for(
    layer_name: str,
    geometry_type: str | None,
    fields: list[str],
    theme: str | None,
    root: Path | None,
    index: int = 0,
    own: Path | None = None,
) -> LayerStyle:
    """The style of one layer (see the module docstring for the rules).

    :param own: a folder of the publisher's own QML files (``OUTDIR/styles``), tried before the theme's.
    """
    family = family_of(geometry_type)
    if family is None:
        return LayerStyle([], "none")
    if own is not None and (mine := find_theme_qml(own, layer_name, family)) is not None:
        return _from_qml(mine, own, fields, family, index)  # labelled styles/<file>: the folder is OUTDIR/styles
    qml = find_theme_qml(root / theme, layer_name, family) if root and theme and (root / theme).is_dir() else None
    if qml is None:
        return default_style(family, index)
    return _from_qml(qml, root, fields, family, index) if root else default_style(family, index)


def _from_qml(path: Path, root: Path, fields: list[str], family: str, index: int) -> LayerStyle:
    qml = etree.parse(str(path)).getroot()
    label = f"styles/{path.relative_to(root).as_posix()}"
    renderer = qml.find("renderer-v2")
    if renderer is None:
        return default_style(family, index)
    elements = [etree.fromstring(etree.tostring(child)) for child in qml if child.tag not in _SKIP_QML]
    elements = [e for e in elements if isinstance(e.tag, str)]
    notes: list[str] = []
    attr = (renderer.get("attr") or "").strip().strip('"')
    known = {f.lower() for f in fields}
    if attr and re.fullmatch(r"\w+", attr) and attr.lower() not in known:
        twin = _similar_field(attr, fields)
        if twin is None:
            # a neutral default rather than one of the classes: one class for all would mislead (e.g. "strong hazard")
            style = default_style(family, index)
            style.notes.append(
                f"{label} classifies on the field {attr!r}, which this layer does not have: default style used."
            )
            return style
        renderer.set("attr", twin)
        elements = [etree.fromstring(etree.tostring(renderer)) if e.tag == "renderer-v2" else e for e in elements]
        notes.append(f"{label} classifies on {attr!r}; this layer's field {twin!r} is used instead.")
    labels = qml.get("labelsEnabled") == "1"
    return LayerStyle(elements, label, notes, labels)


def _similar_field(attr: str, fields: list[str]) -> str | None:
    """A field that is an abbreviation of ``attr`` or the reverse (``typereg`` for ``typereglement``), if one only."""
    a = attr.lower()
    found = [f for f in fields if len(f) >= 4 and (a.startswith(f.lower()) or f.lower().startswith(a))]
    return found[0] if len(found) == 1 else None


def _single_renderer(symbol: etree._Element) -> etree._Element:
    symbol.set("name", "0")
    renderer = etree.Element(
        "renderer-v2",
        type="singleSymbol",
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
        referencescale="-1",
    )
    etree.SubElement(renderer, "symbols").append(symbol)
    etree.SubElement(renderer, "rotation")
    etree.SubElement(renderer, "sizescale")
    return renderer


def _symbol_layer(cls: str, props: dict[str, str]) -> etree._Element:
    """A symbol layer with its properties written both ways QGIS 3.22 reads (``Option`` map and ``prop``)."""
    layer = etree.Element("layer", attrib={"class": cls, "pass": "0", "locked": "0", "enabled": "1"})
    opts = etree.SubElement(layer, "Option", type="Map")
    for k, v in props.items():
        etree.SubElement(opts, "Option", type="QString", name=k, value=v)
    for k, v in props.items():
        etree.SubElement(layer, "prop", k=k, v=v)
    return layer


def default_style(family: str, index: int = 0) -> LayerStyle:
    """A plain readable symbol: blue dots, red lines, translucent green/orange/purple areas by layer rank."""
    colour = _PALETTE[family][index % len(_PALETTE[family])]
    if family == "point":
        layer = _symbol_layer(
            "SimpleMarker",
            {"name": "circle", "color": colour, "outline_color": "255,255,255,255", "outline_width": "0.4",
             "outline_width_unit": "MM", "size": "3.2", "size_unit": "MM", "outline_style": "solid"},
        )  # fmt: skip
    elif family == "line":
        layer = _symbol_layer(
            "SimpleLine",
            {"line_color": colour, "line_width": "0.9", "line_width_unit": "MM", "line_style": "solid",
             "capstyle": "round", "joinstyle": "round"},
        )  # fmt: skip
    else:
        layer = _symbol_layer(
            "SimpleFill",
            {"color": colour, "style": "solid", "outline_color": _OUTLINE[colour], "outline_width": "0.4",
             "outline_width_unit": "MM", "outline_style": "solid", "joinstyle": "bevel"},
        )  # fmt: skip
    symbol = etree.Element("symbol", type=SYMBOL_TYPE[family], name="0", alpha="1", clip_to_extent="1", force_rhr="0")
    symbol.append(layer)
    elements = [_single_renderer(symbol)]
    for tag, text in (("blendMode", "0"), ("featureBlendMode", "0"), ("layerOpacity", "1")):
        el = etree.Element(tag)
        el.text = text
        elements.append(el)
    return LayerStyle(elements, "default")


def style_colours(style: LayerStyle) -> list[tuple[int, int, int]]:
    """The fill/line/marker colours (RGB) the style's renderer can draw, for checks on rendered maps."""
    out: list[tuple[int, int, int]] = []
    for el in style.elements:
        if el.tag != "renderer-v2":
            continue
        for opt in el.iter("Option"):
            if opt.get("name") in ("color", "line_color") and opt.get("value"):
                rgb = tuple(int(v) for v in opt.get("value", "").split(",")[:3] if v.strip().isdigit())
                if len(rgb) == 3 and rgb not in out:
                    out.append((rgb[0], rgb[1], rgb[2]))
    return out

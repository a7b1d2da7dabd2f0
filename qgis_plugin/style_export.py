"""The layer's current QGIS style, for the map servers: SLD (QGIS's own export) for GeoServer, QML for QGIS Server.

The export is QGIS's; this module only says what SLD cannot carry (so that the person knows GeoServer will draw
differently) and renames the fields the style uses to the product's names (``odl_geo.style_fields``), because a
style that classifies on ``TYPE`` draws nothing on a layer whose field is now ``type_pei``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qgis.core import QgsMapLayer, QgsRenderContext, QgsVectorLayer

from odl_geo.style_fields import rename_qml_fields, rename_sld_fields

from .toolbelt.i18n import tr

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["ExportedStyle", "export_layer_style", "sld_limitations"]

#: renderers QGIS 3.22 writes as SLD rules
SLD_RENDERERS = frozenset({"singleSymbol", "categorizedSymbol", "graduatedSymbol", "RuleRenderer"})
#: symbol layer classes QGIS 3.22 writes as SLD symbolizers
SLD_SYMBOL_LAYERS = frozenset(
    {
        "SimpleMarker",
        "SvgMarker",
        "FontMarker",
        "EllipseMarker",
        "SimpleLine",
        "MarkerLine",
        "SimpleFill",
        "SVGFill",
        "LinePatternFill",
        "PointPatternFill",
        "CentroidFill",
    }
)


@dataclass
class ExportedStyle:
    sld: Path
    qml: Path
    warnings: list[str] = field(default_factory=list)


def sld_limitations(layer: QgsVectorLayer) -> list[str]:
    """What of the layer's symbology an SLD (hence GeoServer) will not reproduce, in words for the person."""
    out: list[str] = []
    renderer = layer.renderer()
    if renderer is None:
        return [tr("The layer has no style to export.")]
    if renderer.type() not in SLD_RENDERERS:
        out.append(
            tr("The renderer '{0}' cannot be written as SLD: GeoServer will draw a default style.").format(
                renderer.type()
            )
        )
    seen: set[str] = set()
    for symbol in renderer.symbols(QgsRenderContext()):
        for sl in symbol.symbolLayers():
            kind = sl.layerType()
            if kind not in SLD_SYMBOL_LAYERS and kind not in seen:
                seen.add(kind)
                out.append(tr("The symbol layer '{0}' has no SLD equivalent: it is left out.").format(kind))
            if sl.dataDefinedProperties().hasActiveProperties() and "data-defined" not in seen:
                seen.add("data-defined")
                out.append(tr("Data-defined symbol properties (size, colour from an expression) are not exported."))
            effect = sl.paintEffect()
            if effect is not None and effect.enabled() and "effects" not in seen:
                seen.add("effects")
                out.append(tr("Draw effects (shadows, glow) are not exported."))
    if layer.opacity() < 1.0:
        out.append(tr("The layer's opacity is not exported (set the colours' transparency instead)."))
    labeling = layer.labeling()
    if layer.labelsEnabled() and labeling is not None and labeling.type() != "simple":
        out.append(tr("Rule-based labels are not exported; GeoServer will show no labels."))
    return out


def export_layer_style(
    layer: QgsVectorLayer, folder: Path, name: str, renames: dict[str, str], published: set[str] | None = None
) -> ExportedStyle:
    """Write ``folder/name.sld`` and ``folder/name.qml`` from the layer's style, fields renamed to the product's.

    :raises OSError: QGIS could not write a file (the message says which).
    """
    folder.mkdir(parents=True, exist_ok=True)
    sld, qml = folder / f"{name}.sld", folder / f"{name}.qml"
    message, ok = layer.saveSldStyle(str(sld))
    if not ok:
        raise OSError(tr("QGIS could not export the style as SLD: {0}").format(message))
    categories = QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering
    message, ok = layer.saveNamedStyle(str(qml), categories)
    if not ok:
        raise OSError(tr("QGIS could not save the style as QML: {0}").format(message))
    result = ExportedStyle(sld, qml, sld_limitations(layer))
    renamed_sld = rename_sld_fields(sld.read_bytes(), renames, published)
    sld.write_bytes(renamed_sld.content)
    renamed_qml = rename_qml_fields(qml.read_bytes(), renames, published)
    qml.write_bytes(renamed_qml.content)
    for unknown in sorted(set(renamed_sld.unknown) | set(renamed_qml.unknown)):
        result.warnings.append(
            tr("The style uses the field '{0}', which is not published: map it to a schema field or restyle.").format(
                unknown
            )
        )
    return result

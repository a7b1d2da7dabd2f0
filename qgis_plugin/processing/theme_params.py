"""Parameters shared by the algorithms that read a layer for a theme (check, convert): input and theme options.

They only translate Processing parameters into ``odl-geo`` command-line arguments for the worker; what the
options mean is odl-geo's (``odl-geo check --help``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..toolbelt.i18n import tr
from .layer_input import source_arguments

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["add_input_parameters", "add_theme_parameters", "input_arguments", "theme_arguments"]


def add_input_parameters(alg: QgsProcessingAlgorithm) -> None:
    alg.addParameter(QgsProcessingParameterVectorLayer("LAYER", tr("Layer of the project"), optional=True))
    alg.addParameter(
        QgsProcessingParameterMultipleLayers(
            "LAYERS", tr("…or several layers of one set (flood: PPR layers)"), QgsProcessing.TypeVector, optional=True
        )
    )
    alg.addParameter(QgsProcessingParameterFile("INPUT", tr("…or a file, folder or zip"), optional=True))


def input_arguments(
    alg: QgsProcessingAlgorithm, parameters: dict[str, Any], context: QgsProcessingContext, workdir: Path
) -> list[str]:
    """``PATH [--layer NAME] [--source-crs CRS]``: project layer(s) (see ``source_arguments``) or a file."""
    layers = alg.parameterAsLayerList(parameters, "LAYERS", context)
    layer = alg.parameterAsVectorLayer(parameters, "LAYER", context)
    chosen = [*([layer] if layer is not None else []), *layers]
    if chosen:
        return source_arguments(chosen, workdir)
    path = alg.parameterAsFile(parameters, "INPUT", context)
    if not path:
        raise QgsProcessingException(tr("Choose a layer of the project or a file."))
    return [path]


def add_theme_parameters(alg: QgsProcessingAlgorithm) -> None:
    alg.addParameter(
        QgsProcessingParameterFile(
            "MAPPING", tr("Field mapping file (TOML)"), optional=True, fileFilter="TOML (*.toml)"
        )
    )
    alg.addParameter(
        QgsProcessingParameterString("AREA", tr("Declared area (e.g. occitanie, 34, 34172)"), optional=True)
    )
    alg.addParameter(QgsProcessingParameterBoolean("FIX", tr("Apply the automatic fixes (on a copy)"), False))
    alg.addParameter(
        QgsProcessingParameterBoolean("ANONYMISE", tr("Remove personal data (names, phones, e-mails)"), True)
    )
    alg.addParameter(
        QgsProcessingParameterBoolean("MASK_FREE_TEXT", tr("Mask e-mails and phone numbers found in texts"), True)
    )
    alg.addParameter(
        QgsProcessingParameterString(
            "KEEP_PERSONAL", tr("Personal fields to publish anyway (comma-separated)"), optional=True
        )
    )


def theme_arguments(
    alg: QgsProcessingAlgorithm, parameters: dict[str, Any], context: QgsProcessingContext
) -> list[str]:
    args: list[str] = []
    mapping = alg.parameterAsFile(parameters, "MAPPING", context)
    if mapping:
        args += ["--mapping", mapping]
    area = alg.parameterAsString(parameters, "AREA", context)
    if area:
        args += ["--area", area]
    if alg.parameterAsBool(parameters, "FIX", context):
        args.append("--fix")
    if not alg.parameterAsBool(parameters, "ANONYMISE", context):
        args.append("--no-anonymise")
    mask = alg.parameterAsBool(parameters, "MASK_FREE_TEXT", context)
    args.append("--mask-free-text" if mask else "--no-mask-free-text")
    for name in (alg.parameterAsString(parameters, "KEEP_PERSONAL", context) or "").split(","):
        if name.strip():
            args += ["--keep-personal", name.strip()]
    return args

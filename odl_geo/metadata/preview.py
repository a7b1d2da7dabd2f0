"""What the record will say, before publishing: its main elements in a form a person reads (the QGIS plugin's
"Prévisualiser" button, ``odl-geo metadata PATH --preview``).

The record is built by the same code as the one written at publication (:func:`.write.prepare_record`), from:

- an output folder already converted (``manifest.json``): exactly the record a publication of that folder writes;
- else a data file (the layer's source): converted plainly into a temporary folder, thrown away, with the theme's
  INSPIRE theme and ISO categories; the extent, CRS, feature count and links are those of the data, but the
  identifier is marked provisional (a theme run names its product layer, which the identifier derives from).

Missing elements never raise here: they are listed (key and French message), and what the person already gave
is shown beside them, so that the preview helps to complete the form.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import OdlGeoError
from .inputs import MetadataIncomplete, parse_metadata
from .model import INSPIRE_THEMES, LICENCES, THEME_DEFAULTS

__all__ = ["preview_record"]


def preview_record(
    table: dict[str, Any], path: str | Path | None = None, theme: str | None = None, origin: str = "metadata"
) -> dict[str, Any]:
    """The record's main elements as a JSON-friendly dict (see the module docstring).

    :param table: what ``metadata.toml`` (the plugin's Metadata tab) holds.
    :param path: an output folder (``manifest.json``) or a data file; None: the person's fields only.
    :param theme: the odl-geo theme key (its INSPIRE theme and ISO categories when converting a data file).
    :returns: ``title``, ``abstract``, ``identifier`` (+ ``identifier_provisional``), ``extent_wgs84``,
        ``extent_lambert93``, ``inspire_theme``, ``topic_categories``, ``licence``, ``frequency``, ``links``
        (kind, url, name), ``crs``, ``feature_count``, ``missing`` (key, message_fr), ``warnings`` (INSPIRE rule
        warnings, in French), ``source`` ("folder", "data" or "form") and ``note`` (French, may be empty).
    """
    table = dict(table)
    defaults = THEME_DEFAULTS.get(theme or "")
    if defaults is not None:
        table.setdefault("inspire_theme", defaults[0])
        table.setdefault("topic_categories", list(defaults[1]))
    licence = LICENCES.get(str(table.get("licence") or ""))
    inspire = INSPIRE_THEMES.get(str(table.get("inspire_theme") or ""))
    out: dict[str, Any] = {
        "title": str(table.get("title") or ""),
        "abstract": str(table.get("abstract") or ""),
        "identifier": "",
        "identifier_provisional": False,
        "extent_wgs84": None,
        "extent_lambert93": None,
        "inspire_theme": f"{inspire.label_fr} ({inspire.uri})" if inspire else "",
        "topic_categories": list(table.get("topic_categories") or []),
        "licence": f"{licence.title} ({licence.url})" if licence else str(table.get("licence") or ""),
        "frequency": str(table.get("frequency") or ""),
        "links": [],
        "crs": [],
        "feature_count": None,
        "missing": [],
        "warnings": [],
        "source": "form",
        "note": "",
    }
    try:
        given = parse_metadata(table, origin)
    except MetadataIncomplete as exc:
        out["missing"] = [{"key": m.key, "message_fr": m.message_fr} for m in exc.missing]
        out["note"] = "Complétez les éléments manquants : la fiche sera alors construite avec les données."
        return out
    target = Path(path) if path is not None else None
    if target is None or not target.exists():
        out["note"] = "Emprise, identifiant et liens seront calculés à partir des données, à la publication."
        return out
    scratch: Path | None = None
    try:
        if target.is_dir() and (target / "manifest.json").is_file():
            folder, out["source"] = target, "folder"
        else:
            from ..conversion import convert

            scratch = Path(tempfile.mkdtemp(prefix="odl-geo-preview-"))
            convert(target, scratch / "out", formats=("gpkg",))
            folder, out["source"] = scratch / "out", "data"
            out["identifier_provisional"] = True
            out["note"] = ("Aperçu construit à partir de la couche telle qu'elle est ; l'identifiant définitif "
                           "dépend de la couche produite par le thème à la publication.")  # fmt: skip
        from .write import prepare_record

        try:
            result = prepare_record(folder, given)
        except MetadataIncomplete as exc:  # what only the data can tell (an extent, an INSPIRE theme)
            out["missing"] = [{"key": m.key, "message_fr": m.message_fr} for m in exc.missing]
            return out
        except OdlGeoError as exc:  # an INSPIRE mandatory element missing from the encoded record
            out["missing"] = [{"key": "inspire", "message_fr": exc.message_fr or exc.message}]
            return out
        _fill(out, result)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return out


def _fill(out: dict[str, Any], result: Any) -> None:
    record = result.record
    out.update(
        title=record.title,
        abstract=record.abstract,
        identifier=record.identifier.uri,
        extent_wgs84=list(record.extent.wgs84),
        extent_lambert93=list(record.extent.lambert93) if record.extent.lambert93 else None,
        inspire_theme=f"{record.inspire_theme.label_fr} ({record.inspire_theme.uri})",
        topic_categories=list(record.topic_categories),
        licence=f"{record.licence.title} ({record.licence.url})",
        frequency=record.frequency.datagouv,
        links=[{"kind": d.kind, "url": d.url, "name": d.name} for d in record.distributions],
        crs=list(record.crs),
        feature_count=record.feature_count,
        warnings=[w.message_fr or w.message for w in result.warnings],
    )

"""Texts of a publication, generated from the manifest: dataset title and Markdown description, resource metadata.

Deterministic (no dates): the same outputs give the same texts, so a re-run changes nothing on the portal.
The description is in French, the portal's language.
"""

from __future__ import annotations

import csv
import logging
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..._version import __version__
from ...numbers import quantity
from . import _markdown as md
from .models import ResourceMeta, SchemaRef, tag_slug

if TYPE_CHECKING:
    from .publish import PublishOptions

__all__ = ["FORMATS", "default_key", "default_title", "describe_outputs", "resource_meta"]

log = logging.getLogger("odl_geo.publishers.datagouv")

#: manifest format key -> (udata format, title suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": ("geojson", "GeoJSON (WGS 84)"),
    "gpkg": ("gpkg", "GeoPackage (Lambert-93)"),
    "shp": ("shp", "Shapefile zippé (Lambert-93)"),
    "csv": ("csv", "CSV (WGS 84)"),
    "kml": ("kml", "KML (WGS 84)"),
    "fgb": ("fgb", "FlatGeobuf (Lambert-93)"),
    "parquet": ("parquet", "GeoParquet (Lambert-93)"),
    # the metadata record (odl-geo metadata): documentation resources, not data
    "iso19139": ("xml", "Métadonnées ISO 19139 (INSPIRE)"),
    "dcat-jsonld": ("json-ld", "Métadonnées DCAT-AP (JSON-LD)"),
}
METADATA_FORMATS = frozenset({"iso19139", "dcat-jsonld"})


def source_name(manifest: dict[str, Any]) -> str:
    """The source's file name: ``source`` is ``{"name": ...}`` in manifests (a plain string in older ones)."""
    source = manifest.get("source")
    if isinstance(source, dict):
        return str(source.get("name") or "")
    return str(source or "")


def default_key(manifest: dict[str, Any]) -> str:
    """``odl-geo-<source name>``: stable across runs of the same source (``--dataset-key`` overrides it)."""
    name = source_name(manifest) or "dataset"
    stem = re.sub(r"(\.[A-Za-z0-9]{1,5})+$", "", name)
    return f"odl-geo-{tag_slug(stem) or 'dataset'}"


def resource_meta(entry: dict[str, Any], options: PublishOptions) -> ResourceMeta:
    fmt = str(entry.get("format") or "")
    udata_format, label = FORMATS.get(fmt, (fmt or Path(entry["path"]).suffix.lower().lstrip("."), fmt.upper()))
    layers = entry.get("layers") or [entry]
    description = "\n".join(
        f"Couche {md.code(lyr.get('layer', ''))} : {md.text(lyr.get('feature_count'))} entités "
        f"({md.text(lyr.get('geometry_type') or 'sans géométrie')}), {md.text(lyr.get('crs') or 'sans SCR')}."
        for lyr in layers
    )
    name = entry.get("layer") if len(layers) == 1 else None
    if fmt in METADATA_FORMATS:  # the catalogue record of the dataset, as a documentation resource
        return ResourceMeta(
            key=str(entry["path"]),
            title=label,
            description="Fiche de métadonnées du jeu de données (mêmes identifiant, titre, licence et emprise que "
            "les catalogues INSPIRE/CSW), écrite par odl-geo.",
            type="documentation",
            format=udata_format,
            schema=None,
        )
    schema = options.schema if options.schema and fmt in options.schema_formats else None
    if entry.get("schema") and isinstance(entry["schema"], dict):  # a profile product names its own schema
        schema = SchemaRef.from_payload(entry["schema"]) or schema
    return ResourceMeta(
        key=str(entry["path"]),
        title=f"{name or Path(entry['path']).name.split('.')[0]} — {label}",
        description=description,
        type="main",
        format=udata_format,
        schema=schema,
    )


def default_title(manifest: dict[str, Any], zones: tuple[str, ...] = (), organization: str = "") -> str:
    """The dataset's title when neither ``--title`` nor a metadata record gives one.

    A theme product is titled by what it is and whose, "Points d'eau — Ville de Montpellier": the product's title
    (the manifest's) and the commune it covers when it covers one (a département's PPR per commune must not all
    read alike), else the publishing organisation. Other outputs keep their source file's name, tidied
    (``VilleMTP_MTP_Fontaines.csv`` -> "VilleMTP MTP Fontaines"): odl-geo knows nothing better about them.
    """
    product = str(manifest.get("title") or "").strip()
    if product == str(source_name(manifest) or "").strip():
        product = ""  # a plain conversion's manifest title is its source file's name: no product title
    if product:
        where = organization.strip()
        if len(zones) == 1 and zones[0].startswith("fr:commune:"):
            from ...checks.communes import communes

            commune = communes().get(zones[0].rsplit(":", 1)[1])
            if commune and commune.nom.casefold() not in where.casefold():
                where = commune.nom  # "Ville de Montpellier" already says Montpellier: kept
        return f"{product} — {where}" if where and where.casefold() not in product.casefold() else product
    name = source_name(manifest) or "Jeu de données"
    stem = re.sub(r"(\.[A-Za-z0-9]{1,5})+$", "", name)
    return re.sub(r"[_\s]+", " ", stem).strip() or name


def describe_outputs(manifest: dict[str, Any], folder: Path, options: PublishOptions) -> str:
    """The dataset's Markdown description (in French, the portal's language), from the manifest and report.

    Deterministic (no dates): the same outputs give the same text, so a re-run changes nothing.
    """
    source = {"name": source_name(manifest) or "?"}
    lines = [options.description.strip(), ""] if options.description.strip() else []
    lines += ["## Origine", ""]
    lines.append(f"- Source : {md.code(source.get('name', '?'))}")  # values from the data: escaped (_markdown)
    if options.producer:
        lines.append(f"- Producteur : {options.producer}")
    lines.append(f"- Fréquence de mise à jour : {options.frequency}")
    schemas = [options.schema] if options.schema else []
    for f in manifest.get("files") or []:  # a theme product names its own schema
        ref = SchemaRef.from_payload(f.get("schema")) if isinstance(f.get("schema"), dict) else None
        if ref and ref not in schemas:
            schemas.append(ref)
    for ref in schemas:
        version = f" {ref.version}" if ref.version else ""
        lines.append(f"- Schéma : [{md.text(ref.name + version)}](https://schema.data.gouv.fr/{quote(ref.name)}/)")
    lines += ["", "## Couches", "", "| Couche | Entités | Géométrie | Emprise (WGS 84) |", "|---|---|---|---|"]
    seen: dict[str, dict[str, Any]] = {}
    for f in manifest.get("files") or []:
        seen.setdefault(str(f.get("layer")), f)
    for layer, f in seen.items():
        bbox = f.get("bbox_wgs84")
        extent = ", ".join(f"{v:.5f}" for v in bbox) if bbox else "—"
        cells = (layer, f.get("feature_count", "?"), f.get("geometry_type") or "—", extent)
        lines.append("| " + " | ".join(md.text(c) for c in cells) + " |")
    fields = _fields(folder, list(manifest.get("files") or []))
    if fields:
        lines += ["", "## Champs", ""]
        for layer, cols in fields.items():
            lines.append(
                f"- **{md.text(layer)}** : "
                + ", ".join(f"{md.code(name)} ({md.text(kind)})" if kind else md.code(name) for name, kind in cols)
            )
    issues = (manifest.get("report") or {}).get("issues") or []
    notable = [i for i in issues if i.get("severity") in ("warning", "error")]
    lines += ["", "## Qualité", ""]
    if notable:
        lines += [f"- {md.text(i.get('message', ''))} ({md.text(i.get('count', 1))})" for i in notable[:20]]
    else:
        lines.append(f"Aucun avertissement à la conversion ({quantity(len(issues), 'note', 'notes')} d'information).")
    formats = sorted({str(f.get("format")) for f in manifest.get("files") or []})
    lines += ["", f"Formats : {md.text(', '.join(formats))}. Publié avec odl-geo {__version__}."]
    return "\n".join(lines).strip() + "\n"


def _fields(folder: Path, manifest_files: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Field names (and types when known) per layer, from the GeoPackage's schema or else a CSV header.

    Only the standard library is used: importing GDAL would cost the publishing process ~125 MB of memory
    (the upload of a 200 MB file stays under 150 MB without it).
    """
    out: dict[str, list[tuple[str, str]]] = {}
    ordered = sorted(manifest_files, key=lambda f: {"gpkg": 0, "csv": 1}.get(str(f.get("format")), 2))
    for f in ordered:
        layer = str(f.get("layer"))
        if layer in out:
            continue
        path = folder / str(f.get("path"))
        try:
            if f.get("format") == "gpkg":
                out[layer] = _gpkg_fields(path, layer)
            elif f.get("format") == "csv":
                with path.open(encoding="utf-8", newline="") as fh:
                    out[layer] = [(name, "") for name in next(csv.reader(fh), [])]
        except (OSError, sqlite3.Error, UnicodeDecodeError, csv.Error) as exc:
            log.debug("no field list for %s: %s", path.name, exc)
    return {k: v for k, v in out.items() if v}


def _gpkg_fields(path: Path, layer: str) -> list[tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        geom = {r[0] for r in con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (layer,))}
        rows = con.execute("SELECT name, type, pk FROM pragma_table_info(?)", (layer,)).fetchall()
    finally:
        con.close()
    return [(str(name), str(kind).lower()) for name, kind, pk in rows if not pk and name not in geom]

"""The three demo themes' real data converted by odl-geo, each with the metadata a SIG administrator writes, and
their ISO 19139 record / DCAT catalogue built by ``odl_geo.metadata`` (what `odl-geo metadata` writes)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from odl_geo.conversion import ConvertOptions, convert

if TYPE_CHECKING:
    from pathlib import Path

SOURCES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", ConvertOptions(decode_html=True)),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", ConvertOptions()),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", ConvertOptions()),
}
TODAY = dt.date(2026, 1, 15)

METADATA: dict[str, dict[str, Any]] = {
    "hiking": {
        "title": "Itinéraires de randonnée des Cévennes",
        "abstract": "Itinéraires de randonnée balisés du Parc national des Cévennes (schéma national).",
        "licence": "lov2", "frequency": "annual", "keywords": ["randonnée", "Cévennes"],
        "inspire_theme": "tn", "topic_categories": ["transportation"],
        "producer": {"name": "Parc national des Cévennes", "email": "sig@cevennes-parcnational.fr"},
        "links": {"download": "https://data.example.fr/cevennes/"},
    },
    "water": {
        "title": "Bornes fontaines de Montpellier",
        "abstract": "Localisation des bornes fontaines d'eau potable de la ville de Montpellier.",
        "licence": "odbl", "frequency": "monthly", "keywords": ["eau potable", "fontaines"],
        "inspire_theme": "us", "topic_categories": ["utilitiesCommunication"],
        "producer": {"name": "Ville de Montpellier", "email": "opendata@montpellier.fr", "siren": "213401722"},
        "links": {"download": "https://data.example.fr/montpellier/"},
    },
    "flood": {
        "title": "Plan de prévention des risques naturels du Bourg-d'Oisans",
        "abstract": "Zonage réglementaire du PPRn de la commune du Bourg-d'Oisans (Isère), géostandard COVADIS.",
        "licence": "lov2", "frequency": "punctual", "keywords": ["PPR", "inondation", "Isère"],
        "inspire_theme": "nz", "topic_categories": ["planningCadastre"],
        "producer": {"name": "DDT de l'Isère", "email": "ddt-sig@isere.gouv.fr"},
        "links": {"download": "https://data.example.fr/isere/"},
    },
}  # fmt: skip


def convert_theme(shared_data: Path, theme: str, out: Path) -> Path:
    rel, options = SOURCES[theme]
    convert(shared_data / rel, out, options=options)
    return out


def build(folder: Path, theme: str, **changes: Any) -> Any:
    """The theme's DatasetRecord (``changes`` override metadata keys, e.g. a new title)."""
    from odl_geo.metadata.build import build_record
    from odl_geo.metadata.inputs import parse_metadata

    return build_record(folder, parse_metadata({**METADATA[theme], **changes}, f"{theme} metadata"), today=TODAY)


def write_iso(folder: Path, theme: str, **changes: Any) -> Any:
    """``folder/metadata.xml`` written from the theme's record; returns the record."""
    from odl_geo.metadata.iso19139 import record_to_xml

    record = build(folder, theme, **changes)
    (folder / "metadata.xml").write_bytes(record_to_xml(record))
    return record


def write_catalogue(path: Path, records: list[Any], uri: str) -> None:
    """A DCAT-AP ``dcat:Catalog`` of ``records`` in RDF/XML (what udata's ``dcat`` backend reads)."""
    from odl_geo.metadata.dcat import catalogue_graph, serialize

    graph = catalogue_graph(records, "Catalogue de test odl-geo", "Jeux publiés par odl-geo", uri, "odl-geo")
    path.write_bytes(serialize(graph, "xml"))

"""Metadata of published datasets: one record (``model``), filled from what odl-geo knows and a person's
``metadata.toml`` (``build``, ``inputs``), encoded as ISO 19139 for INSPIRE catalogues and CSW (``iso19139``,
checked by ``inspire_rules``) and as DCAT-AP for data.gouv.fr (``dcat``), written beside the exports and into the
GeoPackages (``write``, ``gpkg``). See docs/metadata.md.

Typical use (what ``odl-geo metadata OUT`` does)::

    given = metadata_input("publi/")                    # publi/metadata.toml, checked (all problems at once)
    result = prepare_record("publi/", given)            # record + ISO XML + JSON-LD, INSPIRE rules passed
    write_metadata("publi/", result)                    # metadata.xml, metadata.jsonld, GeoPackages, manifest

The names below are imported from their module on first use (PEP 562): ``convert --theme`` looks for a
``metadata.toml`` in every run, and needs lxml and the encoders (about 6 MB of a run's fixed memory) only when
there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_attributes

if TYPE_CHECKING:
    from .build import ISO_NAME, JSONLD_NAME, PublicationTargets, build_record, previous_state, read_folder
    from .dcat import catalogue_graph, record_graph, serialize
    from .inputs import METADATA_FILE, MetadataIncomplete, MetadataInput, load_metadata_file, parse_metadata
    from .inspire_rules import check_iso, check_record, require_inspire
    from .iso19139 import record_to_xml
    from .model import DatasetRecord
    from .write import MetadataResult, metadata_input, prepare_record, write_metadata


__all__ = [
    "ISO_NAME",
    "JSONLD_NAME",
    "METADATA_FILE",
    "DatasetRecord",
    "MetadataIncomplete",
    "MetadataInput",
    "MetadataResult",
    "PublicationTargets",
    "build_record",
    "catalogue_graph",
    "check_iso",
    "check_record",
    "load_metadata_file",
    "metadata_input",
    "parse_metadata",
    "prepare_record",
    "previous_state",
    "read_folder",
    "record_graph",
    "record_to_xml",
    "require_inspire",
    "serialize",
    "write_metadata",
]

#: name -> module of this package that defines it
_WHERE = {
    **dict.fromkeys(("ISO_NAME", "JSONLD_NAME", "PublicationTargets", "build_record", "previous_state"), "build"),
    "read_folder": "build",
    **dict.fromkeys(("catalogue_graph", "record_graph", "serialize"), "dcat"),
    **dict.fromkeys(
        ("METADATA_FILE", "MetadataIncomplete", "MetadataInput", "load_metadata_file", "parse_metadata"), "inputs"
    ),
    **dict.fromkeys(("check_iso", "check_record", "require_inspire"), "inspire_rules"),
    "record_to_xml": "iso19139",
    "DatasetRecord": "model",
    **dict.fromkeys(("MetadataResult", "metadata_input", "prepare_record", "write_metadata"), "write"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, __all__)

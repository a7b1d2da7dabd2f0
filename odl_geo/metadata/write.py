"""Put a record where it goes in an output folder: ``metadata.xml`` (ISO 19139), ``metadata.jsonld`` (DCAT-AP),
the GeoPackages' metadata tables, and ``manifest.json`` (the two files listed, the GeoPackages' new checksums, the
dates kept for the next run).

:func:`prepare_record` does the checking first (metadata file, INSPIRE rules), so that an incomplete record stops
the run before any file is touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, OutputError
from ..exports.manifest import MANIFEST_NAME, sha256_file
from .build import ISO_NAME, JSONLD_NAME, STATE_NAME, build_record, read_folder, state_of
from .dcat import record_graph, serialize
from .gpkg import write_gpkg_metadata
from .inputs import METADATA_FILE, find_metadata_file, load_metadata_file, parse_metadata
from .inspire_rules import require_inspire
from .iso19139 import record_to_xml

if TYPE_CHECKING:
    import datetime as dt

    from ..report import Issue
    from .build import PublicationTargets
    from .inputs import MetadataInput
    from .model import DatasetRecord

__all__ = ["MetadataResult", "metadata_input", "prepare_record", "write_metadata"]

#: manifest ``format`` of the two metadata files (publishers describe them as documentation)
ISO_FORMAT, JSONLD_FORMAT = "iso19139", "dcat-jsonld"


@dataclass
class MetadataResult:
    record: DatasetRecord
    xml: bytes
    jsonld: bytes
    warnings: list[Issue] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_identifier": self.record.file_identifier,
            "identifier": self.record.identifier.uri,
            "title": self.record.title,
            "written": [str(p) for p in self.written],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def metadata_input(
    folder: str | Path,
    metadata_file: str | Path | None = None,
    table: dict[str, Any] | None = None,
    origin: str = "",
    search: tuple[Path, ...] = (),
) -> MetadataInput:
    """The person-given metadata: ``table`` (a job file's ``[dataset.metadata]``), else ``metadata_file``, else the
    ``metadata.toml`` of ``search`` folders then of ``folder``.

    :raises InputError: none found (the message says where to put one).
    :raises MetadataIncomplete: found but incomplete (every element listed).
    """
    if table is not None:
        return parse_metadata(table, origin or "[dataset.metadata]")
    if metadata_file is not None:
        return load_metadata_file(metadata_file)
    found = find_metadata_file(*search, Path(folder))
    if found is None:
        raise InputError(
            f"No {METADATA_FILE} for {folder}: the title, the abstract, the producer, the licence and the update "
            "frequency can only come from you.",
            f"Create {Path(folder) / METADATA_FILE} (template in docs/metadata.md) or give --metadata FILE.",
            message_fr=f"Aucun fichier {METADATA_FILE} pour {folder} : le titre, le résumé, le producteur, la licence "
            "et la fréquence de mise à jour ne peuvent venir que de vous.",
            hint_fr=f"Créez {Path(folder) / METADATA_FILE} (modèle dans docs/metadata.md) ou donnez --metadata "
            "FICHIER.",
        )
    return load_metadata_file(found)


def prepare_record(
    folder: str | Path,
    given: MetadataInput,
    targets: PublicationTargets | None = None,
    today: dt.date | None = None,
    previous: dict[str, Any] | None = None,
) -> MetadataResult:
    """Build and encode the record, and check it against the INSPIRE rules; writes nothing.

    :raises MetadataIncomplete: missing elements, all listed.
    :raises InputError: an INSPIRE mandatory element is missing from the encoded record.
    """
    record = build_record(folder, given, targets, today, previous)
    xml = record_to_xml(record)
    warnings = require_inspire(xml, ISO_NAME)
    return MetadataResult(record, xml, serialize(record_graph(record), "json-ld"), warnings)


def _replace_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"Cannot write {path}: {exc.strerror or exc}.",
            "Check the folder's permissions.",
            message_fr=f"Impossible d'écrire {path} : {exc.strerror or exc}.",
            hint_fr="Vérifiez les droits du dossier.",
        ) from exc


def _entry(path: str, fmt: str, folder: Path) -> dict[str, Any]:
    return {
        "path": path,
        "format": fmt,
        "layer": "",
        "crs": None,
        "feature_count": 0,
        "geometry_type": None,
        "bbox": None,
        "bbox_wgs84": None,
        "field_mapping": {},
        "sha256": sha256_file(folder / path),
        "size": (folder / path).stat().st_size,
        "schema": None,
    }


def write_metadata(folder: str | Path, result: MetadataResult, gpkg: bool = True) -> MetadataResult:
    """Write the prepared record into ``folder`` and list it in the manifest.

    :param gpkg: also embed the ISO record in every GeoPackage of the folder.
    :raises OutputError: a file cannot be written.
    """
    folder = Path(folder)
    facts = read_folder(folder)
    written = []
    for name, data in ((ISO_NAME, result.xml), (JSONLD_NAME, result.jsonld)):
        _replace_atomically(folder / name, data)
        written.append(folder / name)
    manifest = dict(facts.manifest)
    files = [f for f in manifest.get("files", []) if f.get("path") not in (ISO_NAME, JSONLD_NAME)]
    if gpkg:
        for path in sorted({f["path"] for f in files if f.get("format") == "gpkg"}):
            changed = write_gpkg_metadata(folder / path, result.xml, result.record.metadata_date)
            digest, size = sha256_file(folder / path), (folder / path).stat().st_size
            for f in files:
                if f["path"] == path:
                    f["sha256"], f["size"] = digest, size
            if changed:  # the same record already inside: the file was not touched
                written.append(folder / path)
    files += [_entry(ISO_NAME, ISO_FORMAT, folder), _entry(JSONLD_NAME, JSONLD_FORMAT, folder)]
    manifest["files"] = files
    manifest["metadata"] = state = state_of(result.record, facts)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    from .published import PUBLISHED_KEY, published_state

    kept = {PUBLISHED_KEY: published} if (published := published_state(folder)) else {}  # what publishers said
    text_state = json.dumps({**state, **kept}, ensure_ascii=False, indent=2) + "\n"
    _replace_atomically(folder / STATE_NAME, text_state.encode())
    _replace_atomically(folder / MANIFEST_NAME, text.encode("utf-8"))
    result.written = written
    return result

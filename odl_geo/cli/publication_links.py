"""After a successful ``publish geoserver`` / ``publish datagouv`` of an output folder: keep what was published
(the layer names the map server gave, the data.gouv.fr page) beside the outputs, and bring the folder's metadata
record up to date with it, so that a following ``publish csw`` (or a job's ``csw`` step) sends a record that links
to what exists.

The facts kept are those a job's journal records for the step (:func:`odl_geo.jobs.records.publication_record`),
so a job and a hand-run command say the same thing. The record is rebuilt only when the folder already has one and
its ``metadata.toml`` (a job rebuilds it from ``[dataset.metadata]`` before its ``csw`` step); dates stay stable, so
an unchanged publication rewrites the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..feedback import Feedback

__all__ = ["refresh_record", "remember_published"]


def remember_published(
    folder: str | Path, section: str, options: dict[str, Any], result: dict[str, Any], feedback: Feedback
) -> None:
    """Keep the publication of ``section`` ("geoserver", "datagouv") and refresh the record; a problem here is a
    warning, never a failure of the publication that already succeeded."""
    from ..errors import OdlGeoError
    from ..jobs.jobfile import Step
    from ..jobs.records import publication_record
    from ..metadata.published import remember_publication

    folder = Path(folder)
    if not folder.is_dir() or not (folder / "manifest.json").is_file():
        return
    try:
        changed = remember_publication(folder, section, publication_record(Step(section, options), result, folder))
        if changed:
            refresh_record(folder)
    except (OSError, OdlGeoError) as exc:
        feedback.warning(
            f"La publication a réussi, mais la fiche de métadonnées de {folder} n'a pas été mise à jour avec ses "
            f"liens ({exc}). Relancez : odl-geo metadata {folder}"
        )


def refresh_record(folder: Path) -> bool:
    """Rebuild ``metadata.xml`` (and the rest) from the folder's ``metadata.toml`` when both exist; True if done."""
    from ..metadata import ISO_NAME, prepare_record, write_metadata
    from ..metadata.inputs import find_metadata_file, load_metadata_file

    found = find_metadata_file(folder)
    if found is None or not (folder / ISO_NAME).is_file():
        return False
    write_metadata(folder, prepare_record(folder, load_metadata_file(found)))
    return True

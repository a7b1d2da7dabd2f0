"""What the publishers actually published, kept beside the outputs so the record links to it.

A record built before publication only knows what ``[links]`` says: the WMS/WFS layer names it writes are the
GeoPackage tables, and the data.gouv.fr page is unknown until the dataset exists. After a publication the truth is
in the publisher's result, the same facts a job's journal records (:mod:`odl_geo.jobs.records`): the layer names the
map server gave (``--layer-name`` renames, GeoServer's ``_2`` suffixes), the data.gouv.fr dataset page. The CLI's
``publish geoserver`` and ``publish datagouv`` hand them to :func:`remember_publication`, which keeps them in the
folder's metadata state file (``.odl-geo-metadata.json``, listed in no manifest, so a new conversion keeps it);
:func:`published_targets` reads them back when a record is built. ``[links]`` still wins for URLs (the public
address of a server may not be the one odl-geo published through); the layer names come only from here.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .build import STATE_NAME, PublicationTargets

__all__ = ["published_state", "published_targets", "remember_publication"]

#: key of the state file holding the publication facts, per target ("geoserver", "datagouv")
PUBLISHED_KEY = "published"


def _read_state(folder: Path) -> dict[str, Any]:
    try:
        state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def published_state(folder: str | Path) -> dict[str, dict[str, Any]]:
    """target -> the facts its last successful publication recorded (empty when nothing was published)."""
    found = _read_state(Path(folder)).get(PUBLISHED_KEY)
    return {k: v for k, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def remember_publication(folder: str | Path, target: str, facts: dict[str, Any] | None) -> bool:
    """Keep what one successful publication put where (a :func:`odl_geo.jobs.records.publication_record` dict: URLs
    without user-info, never a secret). Returns True when it changed what was known. A folder that is not an
    odl-geo output (no ``manifest.json``) is left alone."""
    folder = Path(folder)
    if not facts or not (folder / "manifest.json").is_file():
        return False
    state = _read_state(folder)
    known = state.get(PUBLISHED_KEY)
    published: dict[str, Any] = known if isinstance(known, dict) else {}
    if published.get(target) == facts:
        return False
    state[PUBLISHED_KEY] = {**published, target: facts}
    fd, tmp = tempfile.mkstemp(prefix=f".{STATE_NAME}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(state, ensure_ascii=False, indent=2) + "\n")
        os.replace(tmp, folder / STATE_NAME)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def published_targets(folder: str | Path) -> PublicationTargets:
    """The publication targets the last publications say: GeoServer's OWS endpoint and the layer names it gave
    (``workspace:name``), the data.gouv.fr dataset page."""
    published = published_state(folder)
    geo = published.get("geoserver") or {}
    page = str((published.get("datagouv") or {}).get("page") or "")
    url = str(geo.get("url") or "").rstrip("/")
    workspace = str(geo.get("workspace") or "")
    rows = [layer for layer in geo.get("layers") or [] if isinstance(layer, dict)]
    names = [str(layer["name"]) for layer in rows if layer.get("name")]
    layers = tuple(f"{workspace}:{n}" if workspace and ":" not in n else n for n in names)
    ows = f"{url}/ows" if url and layers else ""
    return PublicationTargets(wms=ows, wfs=ows, workspace=workspace if layers else "", datagouv=page, layers=layers)

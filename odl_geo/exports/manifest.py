"""The machine-readable record of a conversion (``manifest.json``): what was written, from what, how.

Publishers compare the sha256 recorded here to decide what must be uploaded again.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..report import Report

if TYPE_CHECKING:
    from pathlib import Path

    from .base import OutputFile

__all__ = ["MANIFEST_NAME", "Manifest", "fill_sizes_and_digests", "sha256_file"]

MANIFEST_NAME = "manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def fill_sizes_and_digests(files: list[OutputFile], folder: Path) -> None:
    """Set ``size`` and ``sha256`` of each output found in ``folder``, two files hashed at a time.

    hashlib releases the GIL on large updates, so two threads use both cores of a small machine; on a
    conversion to seven formats that halves the time spent hashing.
    """
    paths = [folder / f.path for f in files]
    if len(paths) > 1:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="odl-geo-sha256") as pool:
            digests = list(pool.map(sha256_file, paths))
    else:
        digests = [sha256_file(p) for p in paths]
    for f, path, digest in zip(files, paths, digests, strict=True):
        f.size, f.sha256 = path.stat().st_size, digest


@dataclass
class Manifest:
    """``title``/``abstract`` describe the published data (PostGIS table comments, GeoServer and data.gouv.fr
    metadata): a theme run sets them (profile title, report summary); a plain conversion's title is its source."""

    source: dict[str, Any]
    files: list[OutputFile] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    odl_geo_version: str = ""
    title: str = ""
    abstract: str = ""

    @property
    def skipped(self) -> list[str]:
        """Layers (or zip/folder members) of the source that were not converted because of an error."""
        return list(self.source.get("skipped", []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "odl_geo_version": self.odl_geo_version,
            "title": self.title or str(self.source.get("name") or ""),
            "abstract": self.abstract,
            "source": self.source,
            "files": [asdict(f) for f in self.files],
            "report": self.report.to_dict(),
        }

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST_NAME
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path

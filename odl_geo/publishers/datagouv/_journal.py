"""Local side of uploads: the sha1 udata compares, and the journal that lets a cut chunked upload resume."""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CHECKSUM_ALGORITHMS", "UploadJournal", "file_checksum", "file_digest"]

#: udata's checksum types (``Checksum.type``) odl-geo can compute; "sha2" is udata's older name for sha256
CHECKSUM_ALGORITHMS = {"sha1": "sha1", "sha2": "sha256", "sha256": "sha256", "md5": "md5"}


def file_digest(path: Path) -> tuple[str, int]:
    """(sha1 hex, size) of a file, read 1 MiB at a time: udata reports sha1, so that is what is compared."""
    h = hashlib.sha1(usedforsecurity=False)
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def file_checksum(path: Path, kind: str) -> str | None:
    """The hex digest of the checksum type udata reports (``sha256``, ``md5``...), None for one odl-geo cannot
    compute (``crc``): the file is then uploaded again rather than assumed unchanged."""
    algorithm = CHECKSUM_ALGORITHMS.get(kind.lower())
    if algorithm is None:
        return None
    h = hashlib.new(algorithm, usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class UploadJournal:
    """Progress of chunked uploads, in a small JSON file, so that a run cut mid-file resumes the next time.

    An entry is keyed by the upload target and remembers the udata ``uuid``, the file's sha1/size, the part
    size and how many parts the server acknowledged. It is removed once the file is assembled.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._data: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            try:
                self._data = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self._data = {}  # a damaged journal only costs a full re-upload

    def get(self, target: str) -> dict[str, Any] | None:
        return self._data.get(target)

    def clear(self) -> None:
        """Forget everything (after a complete publication: nothing is left to resume)."""
        self._data = {}
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def put(self, target: str, entry: dict[str, Any] | None) -> None:
        if entry is None:
            self._data.pop(target, None)
        else:
            self._data[target] = entry
        if self.path is None:
            return
        if not self._data:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

"""Outputs and their manifest change together or not at all.

A conversion writes every output and its ``manifest.json`` into a hidden staging folder inside the output folder,
checks and fsyncs them, then swaps them into place. A crash (power cut, ``kill -9``) in the middle of the swap must
not leave new files under the old manifest, and a crash before it must not leave hundreds of megabytes behind:

- the staging folder is locked (``flock``) while its process lives: the kernel releases the lock when the process
  dies, so a later run knows a staging folder without lock is stale, and removes it;
- before the first file moves, a marker (``.odl-geo-swap.json``, naming the staging folder) is written and the old
  manifest removed; the new manifest moves last, then the marker goes. A later run that finds the marker finishes
  the swap from the staging folder (every file there was complete and synced before the marker was written), so
  the folder ends with the new outputs and their manifest, never a mix under one manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from ..errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MARKER", "STAGING_PREFIX", "Staging", "check_complete", "recover"]

STAGING_PREFIX = ".odl-geo-staging-"
MARKER = ".odl-geo-swap.json"
_LOCK = ".lock"
MANIFEST = "manifest.json"  # = manifest.MANIFEST_NAME


class Staging:
    """A locked staging folder inside ``out``; :meth:`commit` swaps its files into ``out``.

    :raises OutputError: (exit 3) the folder cannot be created, a file cannot be synced or moved.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        try:
            self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
            self._lock: IO[bytes] | None = (self.path / _LOCK).open("wb")
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:  # a read-only folder (or file system), no permission, a full disk: not a bug
            raise OutputError(
                f"Cannot write in the output folder {out}: {exc.strerror}.",
                "Choose a folder you can write to (--out), or make this one writable, and convert again.",
                message_fr=f"Impossible d'écrire dans le dossier de sortie {out} : {exc.strerror}.",
                hint_fr="Choisissez un dossier où vous pouvez écrire (--out), ou rendez celui-ci accessible en "
                "écriture, puis relancez la conversion.",
            ) from exc

    def close(self) -> None:
        """Remove the staging folder (what was not swapped in is dropped) and release its lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self, names: Iterable[str]) -> None:
        """Sync the staged ``names`` and the staged ``manifest.json``, then move them into ``out``, manifest last.

        :raises OutputError: a file could not be synced (a full disk shows here at the latest) or moved; the
            output folder then still holds the earlier outputs and manifest, or the marker a later run completes.
        """
        files = sorted(set(names))
        try:
            for name in [*files, MANIFEST]:
                _fsync(self.path / name)
            _fsync_dir(self.path)
            marker = self.out / MARKER
            _write_synced(marker, json.dumps({"staging": self.path.name, "files": files}))
            _fsync_dir(self.out)
            (self.out / MANIFEST).unlink(missing_ok=True)  # no manifest rather than the old one over new files
            for name in files:
                os.replace(self.path / name, self.out / name)
            os.replace(self.path / MANIFEST, self.out / MANIFEST)
            _fsync_dir(self.out)
            marker.unlink()
        except OSError as exc:
            raise OutputError(
                f"Writing the outputs into {self.out} failed: {exc.strerror or exc}.",
                "Check free disk space and write permission on the output folder, then convert again.",
                message_fr=f"L'écriture des fichiers produits dans {self.out} a échoué : {exc.strerror or exc}.",
                hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie, puis "
                "relancez la conversion.",
            ) from exc


def recover(out: Path) -> list[str]:
    """Finish a swap a crash interrupted, then remove staging folders whose process is gone.

    Called before a conversion writes into ``out``. Returns what was done, for the log. A staging folder still
    locked belongs to a conversion running now and is left alone.
    """
    done: list[str] = []
    if not out.is_dir():
        return done
    marker = out / MARKER
    if marker.is_file():
        try:
            pending = json.loads(marker.read_text(encoding="utf-8"))
            staging = out / str(pending["staging"])
            names = [str(n) for n in pending["files"]]
        except (OSError, ValueError, KeyError, TypeError):
            staging, names = None, []
        if staging is not None and staging.parent == out and staging.is_dir() and _locked(staging):
            return done  # its process is alive and swapping right now
        if staging is not None and staging.parent == out and staging.is_dir():
            for name in [*names, MANIFEST]:
                if (staging / name).is_file() and Path(name).name == name:
                    os.replace(staging / name, out / name)
            done.append(f"finished an interrupted swap from {staging.name}")
        marker.unlink(missing_ok=True)
    for folder in out.glob(f"{STAGING_PREFIX}*"):
        if folder.is_dir() and not _locked(folder):
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"removed the stale {folder.name}")
    return done


def check_complete(path: Path, fmt: str) -> None:
    """Refuse an output cut short by a write error its writer did not report (GDAL's KML and GeoJSON drivers
    ignore a full disk): a text format must end with its closing mark.

    :raises OutputError: the file does not end as its format must.
    """
    ends = {"kml": (b"</kml>",), "geojson": (b"}", b"]")}.get(fmt)
    if ends is None or not path.is_file():
        return
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 64, 0))
        tail = fh.read().rstrip()
    if not tail.endswith(ends):
        raise OutputError(
            f"Writing {path.name} ({fmt}) failed: the file is incomplete (the disk may be full).",
            "Check free disk space and write permission on the output folder, then convert again.",
            message_fr=f"L'écriture de {path.name} ({fmt}) a échoué : le fichier est incomplet (le disque est "
            "peut-être plein).",
            hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie, puis "
            "relancez la conversion.",
        )


def _locked(folder: Path) -> bool:
    """Whether a living process holds the staging folder's lock (a folder without lock file is an old one)."""
    try:
        fh = (folder / _LOCK).open("rb")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory; the files are synced
        _fsync(path)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())

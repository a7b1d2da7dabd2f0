"""Safe handling of zip archives as delivered by géocatalogues (nested folders, several layers).

Reading happens in place through GDAL's ``/vsizip/``; nothing is extracted unless a reader needs a real
file (a Shapefile whose sidecars must be inspected, a CSV whose layout is analysed), and then only after the
member names were checked against path traversal and the sizes against a limit (zip bombs). Text members
read in place are sniffed through :class:`ArchivedFile` (their bytes streamed from the archive).
"""

from __future__ import annotations

import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from ..errors import InputError, UnsupportedSourceError
from .formats import driver_for

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MAX_UNCOMPRESSED_BYTES", "ArchivedFile", "ZipMember", "extract_members", "list_dataset_members"]

#: refuse archives that would expand beyond this (a commune layer is far below it)
MAX_UNCOMPRESSED_BYTES = 4 * 1024**3
#: refuse members compressed more than this ratio (classic zip-bomb signature)
MAX_RATIO = 200


@dataclass(frozen=True)
class ZipMember:
    name: str  # path inside the archive, "/" separated
    driver: str

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


@dataclass(frozen=True)
class ArchivedFile:
    """One member of a zip, read in place: GDAL through ``/vsizip/``, odl-geo through :meth:`open`."""

    archive: Path
    name: str  # path inside the archive, "/" separated

    @property
    def gdal_path(self) -> str:
        return f"/vsizip/{self.archive.resolve()}/{self.name}"

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The member's bytes, streamed (never extracted), after the same safety checks as an extraction.

        :raises InputError: the member name is unsafe or it expands like a zip bomb.
        """
        with zipfile.ZipFile(self.archive) as zf:
            info = zf.getinfo(self.name)
            _check_safe(info, self.archive)
            with zf.open(info) as fh:
                yield fh

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (for encoding detection)."""
        with self.open() as fh:
            return fh.read(size)


def _check_safe(info: zipfile.ZipInfo, archive: Path) -> None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise InputError(
            f"The zip archive {archive.name} contains an unsafe path: {name!r}.",
            "Refusing to read it. Re-create the archive without absolute paths or '..'.",
        )
    if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 50e6:
        raise InputError(
            f"The zip archive {archive.name} member {name!r} expands {info.file_size // info.compress_size}x.",
            "This looks like a zip bomb; extract it yourself if you trust it.",
        )


def list_dataset_members(archive: Path) -> list[ZipMember]:
    """The datasets inside a zip, in archive order, sidecars and a .dbf next to its .shp left out."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise UnsupportedSourceError(
            f"{archive.name} is not a readable zip archive ({exc}).", "Download it again or re-create it."
        ) from exc
    total = 0
    for info in infos:
        _check_safe(info, archive)
        total += info.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"The zip archive {archive.name} would expand to {total / 1e9:.1f} GB.",
            "Extract it yourself and convert the files inside.",
        )
    names = {i.filename.lower() for i in infos if not i.is_dir()}
    members: list[ZipMember] = []
    for info in infos:
        if info.is_dir() or "__macosx" in info.filename.lower():
            continue
        driver = driver_for(info.filename)
        if driver is None:
            continue
        low = info.filename.lower()
        if low.endswith(".dbf") and low[:-4] + ".shp" in names:
            continue  # the .shp member stands for the pair
        if low.endswith(".json") and not _looks_like_geojson_name(low):
            continue
        members.append(ZipMember(info.filename, driver))
    return members


def _looks_like_geojson_name(name: str) -> bool:
    # géocatalogue zips carry ISO/JSON metadata beside the data; only *.geojson or plain data names count
    return not any(k in name for k in ("metadata", "manifest", "package", "schema"))


def extract_members(
    archive: Path, stem_member: str, dest: Path, sidecars: tuple[str, ...] | None = None
) -> Path:
    """Extract one dataset member and its sidecars (same stem) into ``dest``; return the member path.

    :param sidecars: only these extensions (lower case, with the dot) beside the member; None: every file
        of the same stem (Shapefile and MapInfo sets).
    """
    member = PurePosixPath(stem_member)
    stem = member.with_suffix("").as_posix().lower()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            path = PurePosixPath(info.filename)
            if path.with_suffix("").as_posix().lower() != stem:
                continue
            if sidecars is not None and info.filename != stem_member and path.suffix.lower() not in sidecars:
                continue
            _check_safe(info, archive)
            target = dest / PurePosixPath(info.filename).name
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
    return dest / PurePosixPath(stem_member).name

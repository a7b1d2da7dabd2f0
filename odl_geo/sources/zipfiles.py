"""Safe handling of zip archives as delivered by géocatalogues (nested folders, several layers).

Reading happens in place through GDAL's ``/vsizip/``; nothing is extracted unless a reader needs a real
file (a Shapefile whose sidecars must be inspected, a CSV whose layout is analysed), and then only after the
member names were checked against path traversal and the sizes against a limit (zip bombs). Text members
read in place are sniffed through :class:`ArchivedFile` (their bytes streamed from the archive).

Zip bombs are bounded three ways, per archive and not only per member (a zip of many members each just under
a per-member limit would otherwise expand without end): the sizes the archive declares (all members
together, and their overall compression ratio), the bytes actually extracted, and the time spent
extracting (:class:`ZipLimits`; ``ODL_GEO_ZIP_MAX_BYTES`` and ``ODL_GEO_ZIP_MAX_SECONDS`` lower or raise them).
Damaged and password-protected archives are input errors (exit 2), never crashes.
"""

from __future__ import annotations

import os
import time
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from ..errors import InputError, UnsupportedSourceError
from ..numbers import count_text, decimal_text, quantity
from .formats import driver_for

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_UNCOMPRESSED_BYTES",
    "ArchivedFile",
    "ZipLimits",
    "ZipMember",
    "extract_members",
    "list_dataset_members",
]

#: refuse archives that would expand beyond this (a commune layer is far below it); ``ODL_GEO_ZIP_MAX_BYTES``
MAX_UNCOMPRESSED_BYTES = 4 * 1024**3
#: stop extracting after this many seconds; ``ODL_GEO_ZIP_MAX_SECONDS``
MAX_EXTRACT_SECONDS = 300.0
#: refuse members (and whole archives) compressed more than this ratio (classic zip-bomb signature)...
MAX_RATIO = 200
#: ...once they expand beyond this many bytes (small highly compressible CSVs are normal)
RATIO_FLOOR_BYTES = 50_000_000
#: errors Python's zipfile raises on a damaged member (bad CRC, broken deflate stream, cut-off data)
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


@dataclass
class ZipLimits:
    """The bounds of one archive's expansion: total bytes and seconds, shared by every member extracted.

    :param max_bytes: declared size of all members together, and bytes actually extracted, at most this.
    :param max_seconds: extraction stops (InputError) after this long.
    """

    max_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_seconds: float = MAX_EXTRACT_SECONDS
    extracted: int = 0
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def from_env(cls) -> ZipLimits:
        """Defaults, or ``ODL_GEO_ZIP_MAX_BYTES`` / ``ODL_GEO_ZIP_MAX_SECONDS`` when set.

        :raises InputError: one of them is not a number.
        """
        limits = cls()
        for var, attr, kind in (("ODL_GEO_ZIP_MAX_BYTES", "max_bytes", int), ("ODL_GEO_ZIP_MAX_SECONDS",
                                                                                "max_seconds", float)):  # fmt: skip
            text = os.environ.get(var, "").strip()
            if not text:
                continue
            try:
                value = kind(text)
            except ValueError:
                raise InputError(
                    f"{var}={text!r} is not a number.",
                    f"Give a number, or unset {var}.",
                    message_fr=f"{var}={text!r} n'est pas un nombre.",
                    hint_fr=f"Indiquez un nombre, ou supprimez la variable {var}.",
                ) from None
            if value < 0:
                raise InputError(
                    f"{var}={text!r} is negative.",
                    f"Give a positive number, or unset {var}.",
                    message_fr=f"{var}={text!r} est négatif.",
                    hint_fr=f"Indiquez un nombre positif, ou supprimez la variable {var}.",
                )
            setattr(limits, attr, value)
        return limits

    def spend(self, n: int, archive: Path) -> None:
        """Count ``n`` more bytes extracted; :raises InputError: past the byte or time bound."""
        self.extracted += n
        if self.extracted > self.max_bytes:
            raise InputError(
                f"The zip archive {archive.name} expands beyond {_size(self.max_bytes)}: extraction stopped.",
                "This looks like a zip bomb; extract it yourself if you trust it (or raise ODL_GEO_ZIP_MAX_BYTES).",
                message_fr=f"L'archive zip {archive.name} dépasse {_size(self.max_bytes, 'fr')} une fois "
                "décompressée : extraction arrêtée.",
                hint_fr="Cela ressemble à une bombe de décompression (zip bomb) ; extrayez-la vous-même si vous "
                "lui faites confiance (ou augmentez ODL_GEO_ZIP_MAX_BYTES).",
            )
        if time.monotonic() - self.started > self.max_seconds:
            seconds_fr = f"{self.max_seconds:g}".replace(".", ",")
            raise InputError(
                f"Extracting the zip archive {archive.name} took longer than {self.max_seconds:g} s: stopped.",
                "Extract it yourself and convert the files inside (or raise ODL_GEO_ZIP_MAX_SECONDS).",
                message_fr=f"L'extraction de l'archive zip {archive.name} a duré plus de {seconds_fr} s : arrêtée.",
                hint_fr="Extrayez-la vous-même et convertissez les fichiers qu'elle contient (ou augmentez "
                "ODL_GEO_ZIP_MAX_SECONDS).",
            )


def _size(n: float, lang: str = "en") -> str:
    if lang == "fr":  # « 4,3 Go », « 120,0 Mo », « 1 024 octets »
        if n < 1e5:
            return quantity(int(n), "octet", "octets")
        return f"{decimal_text(n / 1e9, 1)} Go" if n >= 1e8 else f"{decimal_text(n / 1e6, 1)} Mo"
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{int(n)} bytes"


def _damaged(archive: Path, name: str, exc: BaseException) -> UnsupportedSourceError:
    return UnsupportedSourceError(
        f"The zip archive {archive.name} is damaged: its member {name!r} cannot be decompressed ({exc}).",
        "Download it again or re-create it.",
        message_fr=f"L'archive zip {archive.name} est endommagée : son fichier {name!r} ne peut pas être "
        f"décompressé ({exc}).",
        hint_fr="Téléchargez-la de nouveau ou recréez-la.",
    )


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
        try:
            with zipfile.ZipFile(self.archive) as zf:
                info = zf.getinfo(self.name)
                _check_safe(info, self.archive)
                with zf.open(info) as fh:
                    yield fh
        except DAMAGED as exc:
            raise _damaged(self.archive, self.name, exc) from exc

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
            message_fr=f"L'archive zip {archive.name} contient un chemin dangereux : {name!r}.",
            hint_fr="Elle n'est pas lue. Recréez l'archive sans chemins absolus ni '..'.",
        )
    if info.flag_bits & 0x1:
        raise UnsupportedSourceError(
            f"The zip archive {archive.name} is password-protected (its member {name!r} is encrypted).",
            "Extract it yourself with its password and convert the files inside.",
            message_fr=f"L'archive zip {archive.name} est protégée par un mot de passe (son fichier {name!r} est "
            "chiffré).",
            hint_fr="Extrayez-la vous-même avec son mot de passe et convertissez les fichiers qu'elle contient.",
        )
    if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 50e6:
        raise InputError(
            f"The zip archive {archive.name} member {name!r} expands {info.file_size // info.compress_size}x.",
            "This looks like a zip bomb; extract it yourself if you trust it.",
            message_fr=f"Le fichier {name!r} de l'archive zip {archive.name} se décompresse "
            f"{count_text(info.file_size // info.compress_size)} fois plus gros.",
            hint_fr="Cela ressemble à une bombe de décompression (zip bomb) ; extrayez-la vous-même si vous lui "
            "faites confiance.",
        )


def list_dataset_members(archive: Path, limits: ZipLimits | None = None) -> list[ZipMember]:
    """The datasets inside a zip, in archive order, sidecars and a .dbf next to its .shp left out.

    :raises UnsupportedSourceError: not a zip, damaged, or password-protected.
    :raises InputError: unsafe member names, or it would expand beyond ``limits`` (or like a zip bomb).
    """
    limits = limits or ZipLimits.from_env()
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (*DAMAGED, OSError, ValueError) as exc:
        raise UnsupportedSourceError(
            f"{archive.name} is not a readable zip archive ({exc}).",
            "Download it again or re-create it.",
            message_fr=f"{archive.name} n'est pas une archive zip lisible ({exc}).",
            hint_fr="Téléchargez-la de nouveau ou recréez-la.",
        ) from exc
    total = packed = 0
    for info in infos:
        _check_safe(info, archive)
        total += info.file_size
        packed += info.compress_size
    if total > limits.max_bytes:
        raise InputError(
            f"The zip archive {archive.name} would expand to {_size(total)} (more than {_size(limits.max_bytes)}).",
            "Extract it yourself and convert the files inside (or raise ODL_GEO_ZIP_MAX_BYTES).",
            message_fr=f"L'archive zip {archive.name} ferait {_size(total, 'fr')} une fois décompressée (plus de "
            f"{_size(limits.max_bytes, 'fr')}).",
            hint_fr="Extrayez-la vous-même et convertissez les fichiers qu'elle contient (ou augmentez "
            "ODL_GEO_ZIP_MAX_BYTES).",
        )
    if total > RATIO_FLOOR_BYTES and total / max(packed, 1) > MAX_RATIO:  # many members, each under the limit
        raise InputError(
            f"The zip archive {archive.name} expands {total // max(packed, 1)}x overall ({_size(total)} from "
            f"{_size(packed)}).",
            "This looks like a zip bomb; extract it yourself if you trust it.",
            message_fr=f"L'archive zip {archive.name} se décompresse {count_text(total // max(packed, 1))} fois plus "
            f"grosse au total ({_size(total, 'fr')} à partir de {_size(packed, 'fr')}).",
            hint_fr="Cela ressemble à une bombe de décompression (zip bomb) ; extrayez-la vous-même si vous lui "
            "faites confiance.",
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
    archive: Path,
    stem_member: str,
    dest: Path,
    sidecars: tuple[str, ...] | None = None,
    limits: ZipLimits | None = None,
) -> Path:
    """Extract one dataset member and its sidecars (same stem) into ``dest``; return the member path.

    :param sidecars: only these extensions (lower case, with the dot) beside the member; None: every file
        of the same stem (Shapefile and MapInfo sets).
    :param limits: the archive's byte and time budget, shared by the members extracted from it.
    :raises UnsupportedSourceError: a member is damaged or encrypted.
    :raises InputError: the budget ran out (a partial file is removed).
    """
    limits = limits or ZipLimits.from_env()
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
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        limits.spend(len(chunk), archive)
                        dst.write(chunk)
            except DAMAGED as exc:
                target.unlink(missing_ok=True)
                raise _damaged(archive, info.filename, exc) from exc
            except InputError:
                target.unlink(missing_ok=True)
                raise
    return dest / PurePosixPath(stem_member).name

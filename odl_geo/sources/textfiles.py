"""Text sources (CSV, GeoJSON), as files or zip members: the copies GDAL needs, made in the source's temporary
folder and never beside the source (UTF-8 transcoding, a .csvt), and what only the text tells (a "crs" member).
"""

from __future__ import annotations

import io
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyogrio

from ..report import Issue, Severity
from .csvfile import write_csvt
from .zipfiles import ArchivedFile

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["declares_crs", "fresh_dir", "keep_identifiers_as_text", "transcode"]


_CRS_MEMBER = re.compile(rb'"crs"\s*:')


def declares_crs(path: Path | ArchivedFile, head_bytes: int = 1 << 16) -> bool:
    """Whether a GeoJSON has a top-level ``"crs"`` member (GDAL and QGIS write it before ``"features"``)."""
    if isinstance(path, ArchivedFile):
        head = path.head(head_bytes)
    else:
        with path.open("rb") as fh:
            head = fh.read(head_bytes)
    features = head.find(b'"features"')
    return _CRS_MEMBER.search(head if features < 0 else head[:features]) is not None


def keep_identifiers_as_text(
    csv_path: Path,
    source: Path,
    open_options: dict[str, str],
    columns: list[str],
    workdir: Path,
    display: str,
    issues: list[Issue],
) -> str:
    """Read identifier columns ("09122", "34172.02080") as text: a .csvt in a temporary copy (never beside the
    source), with GDAL's own detected type for every other column."""
    info = pyogrio.read_info(str(csv_path), **open_options)
    fields = [(str(n), str(t)) for n, t in zip(info["fields"], info["dtypes"], strict=False)]
    return identifiers_as_text_copy(csv_path, source, fields, columns, workdir, display, issues)


def identifiers_as_text_copy(
    csv_path: Path,
    source: Path,
    fields: list[tuple[str, str]],
    columns: list[str],
    workdir: Path,
    display: str,
    issues: list[Issue],
) -> str:
    """The CSV to read, with a .csvt giving ``columns`` as text and every other field GDAL's type in ``fields``:
    a copy of the user's file in ``workdir`` (the .csvt never lands beside the source)."""
    if not csv_path.is_relative_to(workdir):  # the user's file: copy it so the .csvt does not land beside it
        copy = fresh_dir(workdir) / source.name
        shutil.copyfile(source, copy)
        csv_path = copy
    write_csvt(csv_path, fields, columns)
    issues.append(
        Issue(
            "CSV_IDENTIFIERS_AS_TEXT",
            Severity.INFO,
            f"{display}: {', '.join(columns)} read as text (codes whose leading or trailing zeros matter).",
            layer=Path(display).stem,
            message_fr=f"{display} : "
            + (
                f"le champ {columns[0]} a été lu comme du texte"
                if len(columns) == 1
                else f"les champs {', '.join(columns)} ont été lus comme du texte"
            )
            + " (des codes dont les zéros en tête ou en fin comptent).",
        )
    )
    return str(csv_path)


def fresh_dir(workdir: Path) -> Path:
    """A new, empty folder in the source's temporary folder (for one copy: a transcoded file, a rebuilt .shx)."""
    n = len(list(workdir.iterdir()))
    d = workdir / f"copy{n}"
    d.mkdir()
    return d


@contextmanager
def _open_bytes(path: Path | ArchivedFile) -> Iterator[IO[bytes]]:
    if isinstance(path, ArchivedFile):
        with path.open() as fh:
            yield fh
    else:
        with path.open("rb") as fh:
            yield fh


def transcode(path: Path | ArchivedFile, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of a text source (GDAL's Arrow reader only speaks UTF-8); sidecars copied too.

    A zip member is decoded as it streams out of the archive: only the UTF-8 copy is written.
    """
    dest_dir = fresh_dir(workdir)
    name = Path(path.name).name
    dest = dest_dir / name
    with (
        _open_bytes(path) as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as src,
        dest.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    if isinstance(path, Path):
        for ext in (".csvt", ".prj", ".CSVT", ".PRJ"):
            side = path.with_suffix(ext)
            if side.exists():
                (dest_dir / side.name).write_bytes(side.read_bytes())
    return dest

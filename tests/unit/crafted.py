"""Crafted inputs for the adversarial tests (issue #14): written byte by byte here, so that no test depends on one
stored file. Every function writes into a folder the test owns (tmp) and returns the dataset's path."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

LAMBERT93_PRJ = (
    'PROJCS["RGF93_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,'
    '298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],'
    'PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],'
    'PARAMETER["Standard_Parallel_1",44.0],PARAMETER["Standard_Parallel_2",49.0],'
    'PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]'
)


def sha256_tree(folder: Path) -> dict[str, str]:
    """name -> sha256 of every file below ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def point_shapefile(path: Path, points: list[tuple[float, float]], names: list[str] | None = None) -> Path:
    """A Shapefile of points (``.shp``, ``.shx``, ``.dbf``, ``.prj`` in Lambert-93), any float accepted (NaN...)."""
    names = names or [f"p{i}" for i in range(len(points))]
    n = len(points)
    finite = [c for p in points for c in p if math.isfinite(c)] or [0.0]
    box = (min(finite), min(finite), max(finite), max(finite))
    shp_len = 100 + n * 28
    shx_len = 100 + n * 8

    def header(length_bytes: int) -> bytes:
        return (
            struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
            + struct.pack("<2i", 1000, 1)
            + struct.pack("<8d", box[0], box[1], box[2], box[3], 0, 0, 0, 0)
        )

    shp, shx = io.BytesIO(), io.BytesIO()
    shp.write(header(shp_len))
    shx.write(header(shx_len))
    for i, (x, y) in enumerate(points):
        shx.write(struct.pack(">2i", shp.tell() // 2, 10))
        shp.write(struct.pack(">2i", i + 1, 10) + struct.pack("<i2d", 1, x, y))
    path.write_bytes(shp.getvalue())
    path.with_suffix(".shx").write_bytes(shx.getvalue())
    path.with_suffix(".prj").write_text(LAMBERT93_PRJ, encoding="ascii")
    path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
    width = 20
    dbf = io.BytesIO()
    dbf.write(struct.pack("<4BIHH20x", 3, 126, 1, 1, n, 32 + 32 + 1, 1 + width))
    dbf.write(b"NOM".ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14)
    dbf.write(b"\r")
    for name in names:
        dbf.write(b" " + name.encode("utf-8")[:width].ljust(width, b" "))
    dbf.write(b"\x1a")
    path.with_suffix(".dbf").write_bytes(dbf.getvalue())
    return path


def geojson_points(path: Path, coords: list[str]) -> Path:
    """A GeoJSON of points whose coordinates are written as given (``"3.8, 43.6"``, ``"1e999, 43.6"``...)."""
    feats = ",".join(
        f'{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{c}]}}}}'
        for i, c in enumerate(coords)
    )
    path.write_text(f'{{"type":"FeatureCollection","features":[{feats}]}}', encoding="utf-8")
    return path


def fountains_csv(path: Path, rows: int = 20) -> Path:
    """A small CSV of water points (WGS 84 lon/lat), UTF-8 with accents."""
    lines = ["id;nom;longitude;latitude"]
    lines += [f"{i};Fontaine n°{i} place de l'Église;{3.85 + i / 1000:.6f};{43.6 + i / 1000:.6f}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def zip_of(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def encrypted_zip(path: Path, member: str, data: bytes) -> Path:
    """A zip whose member is marked encrypted (general purpose flag bit 0), as a password-protected zip is."""
    raw = bytearray(_zip_bytes({member: data}))
    raw[6] |= 1  # local file header flags
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 8] |= 1  # central directory flags
    path.write_bytes(bytes(raw))
    return path


def corrupt_zip(path: Path, member: str, data: bytes) -> Path:
    """A zip whose directory is intact but whose deflate stream is broken in the middle (CRC and inflate fail)."""
    raw = bytearray(_zip_bytes({member: data}))
    start = 30 + len(member)  # the member's compressed data follows its local header
    cd = raw.rfind(b"PK\x01\x02")
    mid = start + (cd - start) // 2
    raw[mid : mid + 16] = bytes(b ^ 0xA5 for b in raw[mid : mid + 16])
    path.write_bytes(bytes(raw))
    return path


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()

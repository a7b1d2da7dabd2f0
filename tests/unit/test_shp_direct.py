"""A point Shapefile read directly (sources/shp_direct.py) gives GDAL's Arrow batches, table for table.

Each case reads a Shapefile twice: through the pipeline's reader (direct, then GDAL from the first row it cannot
read) and through GDAL's own stream, and compares the tables, schema and field metadata included. The files are
written by GDAL, then some of their ``.dbf`` bytes are changed as other software writes them or as damaged files
hold them (blank numbers, ``*`` overflows, zero dates, leading spaces, deleted records, NUL bytes, invalid UTF-8),
and one is a real municipal layer (Montpellier's remarkable trees) recoded to UTF-8.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo.normalise.pipeline import _direct_then_gdal
from odl_geo.sources import open_source
from odl_geo.sources.shp_direct import Fallback, PointShapefile

SHARED = Path("/work/shared/data/encoding/lizmap_montpellier_intranet")


def _write(path: Path, n: int = 500) -> Path:
    rng = np.random.default_rng(n)
    dates = np.datetime64("2001-01-01") + rng.integers(0, 8000, n).astype("timedelta64[D]")
    table = pa.table(
        {
            "nom": pa.array([f"Borne n°{i} à Sète" if i % 7 else None for i in range(n)]),
            "numero": pa.array(rng.integers(-99_999, 99_999, n).astype(np.int32)),
            "grand": pa.array(rng.integers(-(10**12), 10**12, n).astype(np.int64)),
            "debit": pa.array(rng.uniform(-5, 120, n)),
            "date_maj": pa.array(dates),
            "geometry": pa.array(
                shapely.to_wkb(shapely.points(rng.uniform(7e5, 7.6e5, n), rng.uniform(6.2e6, 6.3e6, n)))
            ),
        }
    )
    table = table.set_column(4, "date_maj", pa.array([d if i % 11 else None for i, d in enumerate(dates.tolist())]))
    pyogrio.write_arrow(
        table, path, driver="ESRI Shapefile", geometry_name="geometry", geometry_type="Point", crs="EPSG:2154",
        layer_options={"ENCODING": "UTF-8"},
    )  # fmt: skip
    return path


def _layout(dbf: Path) -> tuple[int, int, dict[str, tuple[int, int]]]:
    head = dbf.read_bytes()[:4096]
    header, record = int.from_bytes(head[8:10], "little"), int.from_bytes(head[10:12], "little")
    fields, offset = {}, 1
    for k in range(32, header - 1, 32):
        if head[k] == 0x0D:
            break
        name = head[k : k + 11].split(b"\0", 1)[0].decode()
        fields[name] = (offset, head[k + 16])
        offset += head[k + 16]
    return header, record, fields


def _poke(shp: Path, row: int, field: str | None, value: bytes) -> None:
    """Overwrite one value of the .dbf (``field`` None: the record's deletion flag), padded to its width."""
    dbf = shp.with_suffix(".dbf")
    header, record, fields = _layout(dbf)
    offset, width = (0, 1) if field is None else fields[field]
    data = bytearray(dbf.read_bytes())
    at = header + row * record + offset
    data[at : at + width] = value.ljust(width, b" ")[:width]
    dbf.write_bytes(bytes(data))


def _both(shp: Path, rows: int = 128) -> tuple[pa.Table, pa.Table, bool | None]:
    """(via the pipeline's reader, via GDAL, whether the direct reader read it all: None when it did not start,
    as the pipeline then reads with GDAL from the start)."""
    with open_source(shp) as src:
        lyr = src.layers[0]
        with pyogrio.open_arrow(lyr.gdal_path, use_pyarrow=True, batch_size=rows, **lyr.read_kwargs()) as (m, r):
            schema, ref = r.schema, r.read_all()
        direct = PointShapefile.open(lyr, schema, m.get("encoding"))
        if direct is None:
            return ref, ref, None
        try:
            list(direct.batches(schema, rows))
            whole = True
        except Fallback:
            whole = False
        got = pa.Table.from_batches(list(_direct_then_gdal(direct, lyr, schema, rows)), schema=schema)
    return got, ref, whole


def _same(got: pa.Table, ref: pa.Table) -> None:
    assert got.schema.equals(ref.schema, check_metadata=True)
    for name in ref.schema.names:
        assert got.column(name).equals(ref.column(name)), name
    assert got.num_rows == ref.num_rows


def test_generated_file_read_directly_is_gdals(tmp_path: Path) -> None:
    got, ref, whole = _both(_write(tmp_path / "bornes.shp"))
    assert whole
    _same(got, ref)
    assert ref.column("nom").null_count > 0 and ref.column("date_maj").null_count > 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nom", b"   espaces devant et derri\xc3\xa8re   "),
        ("nom", b" "),  # blank text: null
        ("numero", b""),  # blank number: null
        ("numero", b"*********"),  # overflow: null
        ("numero", b"  0042"),
        ("debit", b"  -1.5e2"),
        ("debit", b"**"),
        ("date_maj", b"00000000"),  # zero date: null
        ("date_maj", b""),
        ("grand", b"-000000000007"),
        # spaces are trimmed byte by byte (ascii_trim): only U+0020, never a byte of a multi-byte character
        ("nom", "\u00a0insécable\u00a0".encode()),  # no-break spaces stay
        ("nom", "  \u3000全角\u3000 ".encode()),  # ideographic spaces stay, ASCII ones go
        ("nom", b"\ttab\t "),
        ("nom", "  é".encode()),
    ],
)
def test_values_other_software_writes_are_read_directly_as_gdal_reads_them(
    tmp_path: Path, field: str, value: bytes
) -> None:
    shp = _write(tmp_path / "bornes.shp")
    for row in (0, 130, 499):
        _poke(shp, row, field, value)
    got, ref, whole = _both(shp)
    assert whole
    _same(got, ref)


@pytest.mark.parametrize(
    ("field", "value", "row"),
    [
        (None, b"*", 300),  # a deleted record: GDAL skips it
        ("nom", b"a\0b", 200),  # NUL: C strings end there
        ("nom", b"caf\xe9", 10),  # Latin-1 in a UTF-8 file
        ("numero", b"12.5", 260),  # a decimal in an integer field
        ("numero", b"abc", 0),
        ("date_maj", b"2020-01-01", 140),
        ("date_maj", b"20201341", 499),  # month 13
        ("date_maj", "2020é12".encode(), 70),  # 8 bytes, 7 characters
    ],
)
def test_rows_the_direct_reader_cannot_read_are_read_by_gdal(
    tmp_path: Path, field: str | None, value: bytes, row: int
) -> None:
    """From the first such row on, the batches are GDAL's: the whole table is GDAL's. (Latin-1 bytes in a file
    said to be UTF-8: odl-geo's encoding check sees them first and has GDAL recode the file from the start.)"""
    shp = _write(tmp_path / "bornes.shp")
    _poke(shp, row, field, value)
    got, ref, whole = _both(shp)
    assert whole is (None if value == b"caf\xe9" else False)
    _same(got, ref)


def test_files_it_does_not_start_on(tmp_path: Path) -> None:
    """Latin-1 (GDAL recodes), lines: GDAL's reader from the start."""
    src = SHARED / "ArbRemarq_point.shp"
    for part in SHARED.glob("ArbRemarq_point.*"):
        shutil.copy(part, tmp_path / part.name)
    with open_source(tmp_path / src.name) as opened:
        lyr = opened.layers[0]
        with pyogrio.open_arrow(lyr.gdal_path, use_pyarrow=True, **lyr.read_kwargs()) as (m, r):
            assert PointShapefile.open(lyr, r.schema, m.get("encoding")) is None


def test_real_layer_tram_stops(tmp_path: Path) -> None:
    """Montpellier's tram stops (Lizmap's demo data, UTF-8 with a .cpg): read directly, GDAL's table."""
    for part in (SHARED.parent / "lizmap_montpellier_demo").glob("tram_stops.*"):
        shutil.copy(part, tmp_path / part.name)
    got, ref, whole = _both(tmp_path / "tram_stops.shp", rows=64)
    assert whole
    _same(got, ref)
    assert ref.num_rows == 174

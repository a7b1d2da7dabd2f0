"""Expected conditions get their documented exit code and a message, never "internal error" (issue #14, items 11
and 12). Each input is crafted here; every case checks the exit code, the message, that the source is byte for byte
as it was, and that no output (not even a partial one or a staging folder) was left."""

from __future__ import annotations

import errno
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.sources.zipfiles import ZipLimits, extract_members
from tests.unit import crafted

ROOT = os.geteuid() == 0


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def _assert_clean(src_dir: Path, before: dict[str, str], out: Path) -> None:
    assert crafted.sha256_tree(src_dir) == before, "the source was modified"
    leftovers = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert leftovers == [], f"partial output left in {out}: {leftovers}"


@pytest.fixture
def src(tmp_path):
    d = tmp_path / "src"
    d.mkdir()
    return d


# -- item 12: damaged and protected archives, encodings, NaN/Infinity -------------------------------------------
def _case_corrupt_zip(d):
    return crafted.corrupt_zip(d / "pei.zip", "pei.csv", crafted.fountains_csv(d / "x.csv", 2000).read_bytes()), []


def _case_encrypted_zip(d):
    return crafted.encrypted_zip(d / "pei.zip", "pei.csv", crafted.fountains_csv(d / "x.csv").read_bytes()), []


def _case_unknown_encoding(d):
    return crafted.fountains_csv(d / "pei.csv"), ["--encoding", "KLINGON-8"]


def _case_utf16_for_utf8(d):
    return crafted.fountains_csv(d / "pei.csv"), ["--encoding", "UTF-16"]


def _case_utf16_for_a_shapefile(d):
    return crafted.point_shapefile(d / "pei.shp", [(700_000.0, 6_300_000.0)], ["Église"]), ["--encoding", "UTF-16"]


def _case_not_a_text_encoding(d):
    return crafted.fountains_csv(d / "pei.csv"), ["--encoding", "rot13"]


def _case_infinity_geojson(d):
    return crafted.geojson_points(d / "pts.geojson", ["3.8, 43.6", "Infinity, 43.6", "3.9, -Infinity"]), []


def _case_nan_geojson(d):  # GDAL alone would read it as an empty geometry: a warning, the geometry lost
    return crafted.geojson_points(d / "pts.geojson", ["3.8, 43.6", "NaN, 43.6", "3.9, 43.7"]), []


def _case_infinity_shapefile(d):
    pts = [(700_000.0, 6_300_000.0), (float("inf"), 6_300_000.0), (710_000.0, 6_310_000.0)]
    return crafted.point_shapefile(d / "pei.shp", pts), []


def _case_nan_shapefile_point(d):  # GDAL alone would read it as an empty point: a warning, the geometry lost
    pts = [(700_000.0, 6_300_000.0), (float("nan"), 6_300_000.0), (710_000.0, 6_310_000.0)]
    return crafted.point_shapefile(d / "pei.shp", pts), []


CASES = {
    "corrupt-zip": (_case_corrupt_zip, 2, "is damaged"),
    "password-zip": (_case_encrypted_zip, 2, "password-protected"),
    "unknown-encoding": (_case_unknown_encoding, 2, "'KLINGON-8' is not an encoding"),
    "utf16-for-utf8": (_case_utf16_for_utf8, 2, "cannot be read as UTF-16"),
    "utf16-for-a-shapefile": (_case_utf16_for_a_shapefile, 2, "pei.shp cannot be read as UTF-16"),
    "not-a-text-encoding": (_case_not_a_text_encoding, 2, "'rot13' is not an encoding"),
    "infinity-geojson": (_case_infinity_geojson, 2, "2 coordinates are NaN or Infinity"),
    "nan-geojson": (_case_nan_geojson, 2, "1 coordinate is NaN or Infinity"),
    "infinity-shapefile": (_case_infinity_shapefile, 2, "e.g. feature 1 (0-based"),
    "nan-shapefile-point": (_case_nan_shapefile_point, 2, "1 feature has coordinates that are not numbers"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_crafted_input_gets_its_code_and_message(case, src, tmp_path, capsys):
    make, code, message = CASES[case]
    path, extra = make(src)
    (src / "x.csv").unlink(missing_ok=True)
    before = crafted.sha256_tree(src)
    out = tmp_path / "out"
    got, err = _run(capsys, "convert", str(path), "--to", "gpkg,geojson,csv,kml", "--out", str(out), *extra)
    assert (got, message in err) == (code, True), err
    assert "internal error" not in err and "Traceback" not in err
    _assert_clean(src, before, out)


@pytest.fixture
def mounted(tmp_path):
    """Mount a tmpfs (root only) and unmount it at teardown: ``mounted("name", "size=200k,ro")``."""
    points: list[Path] = []

    def mount(name: str, options: str) -> Path:
        p = tmp_path / name
        p.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(p)], check=True)
        points.append(p)
        return p

    yield mount
    for p in points:
        subprocess.run(["umount", str(p)], check=False)


def test_a_read_only_output_folder_is_exit_3_with_a_message(src, tmp_path, capsys, mounted):
    path = crafted.fountains_csv(src / "pei.csv")
    before = crafted.sha256_tree(src)
    if ROOT:  # root writes through permissions: a read-only file system is what a user meets
        out = mounted("ro", "size=64k,ro")
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o555)
    code, err = _run(capsys, "convert", str(path), "--out", str(out))
    assert code == 3 and "Cannot write in the output folder" in err, err
    assert "internal error" not in err
    _assert_clean(src, before, out)


def test_a_full_temporary_folder_is_exit_3_with_a_message(src, tmp_path, capsys, mounted, monkeypatch):
    csv = crafted.fountains_csv(src / "x.csv", 20_000)  # 1.2 MB: more than the 200 kB temporary folder holds
    path = crafted.zip_of(src / "pei.zip", {"pei.csv": csv.read_bytes()})
    csv.unlink()
    before = crafted.sha256_tree(src)
    if ROOT:
        tmp = mounted("tmpfull", "size=200k")
    else:  # no tmpfs without root: the disk fills at the write boundary of the extraction
        tmp = tmp_path / "tmpfull"
        tmp.mkdir()
        real_open = Path.open

        def full(self, mode="r", *a, **k):
            if "w" in mode and str(self).startswith(str(tmp)):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_open(self, mode, *a, **k)

        monkeypatch.setattr(Path, "open", full)
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    out = tmp_path / "out"
    code, err = _run(capsys, "convert", str(path), "--out", str(out))
    assert code == 3 and "is full" in err and "TMPDIR" in err, err
    _assert_clean(src, before, out)
    assert list(tmp.iterdir()) == []  # the partial extraction was removed too


def test_a_full_disk_while_the_kml_streams_is_exit_3_and_nothing_is_left(src, tmp_path, capsys, mounted):
    """The KML writer (lxml, streamed) reports a write failure; the half-written file never reaches --out."""
    path = crafted.fountains_csv(src / "pei.csv", 20_000)  # about 6 MB of KML: more than the 300 kB disk
    before = crafted.sha256_tree(src)
    if ROOT:
        out = mounted("full", "size=300k") / "out"
        code, err = _run(capsys, "convert", str(path), "--to", "kml", "--out", str(out))
    else:  # no tmpfs without root: a file size limit fails the write the same way (EFBIG instead of ENOSPC)
        import resource
        import signal

        out = tmp_path / "out"
        old = resource.getrlimit(resource.RLIMIT_FSIZE)
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, old[1]))  # the 1.2 MB source's copy fits, not the KML
        try:
            code, err = _run(capsys, "convert", str(path), "--to", "kml", "--out", str(out))
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
            signal.signal(signal.SIGXFSZ, handler)
    assert code == 3 and "Writing pei.kml (kml) failed" in err, err
    _assert_clean(src, before, out)


# -- item 11: archives bounded in total bytes and time, only what is read extracted ------------------------------
def _many_members(d: Path, n: int, size: int) -> Path:
    """``n`` CSV members of ``size`` bytes each, highly compressible, each far under the per-member limits."""
    row = b"1;Fontaine;3.850000;43.600000\n"
    body = b"id;nom;longitude;latitude\n" + row * (size // len(row))
    return crafted.zip_of(d / "bomb.zip", {f"couche_{i:03d}.csv": body for i in range(n)})


def test_many_members_each_under_the_limit_are_refused_by_their_total(src, tmp_path, capsys, monkeypatch):
    path = _many_members(src, 40, 100_000)  # 4 MB declared in total, each member 100 kB
    with zipfile.ZipFile(path) as zf:
        assert max(i.file_size for i in zf.infolist()) < 1_000_000
    before = crafted.sha256_tree(src)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("ODL_GEO_ZIP_MAX_BYTES", "1000000")  # the documented bound, lowered to keep the test small
    out = tmp_path / "out"
    code, err = _run(capsys, "convert", str(path), "--out", str(out))
    assert code == 2 and "would expand to 4.0 MB (more than 1.0 MB)" in err, err
    _assert_clean(src, before, out)
    assert list(tmp.iterdir()) == []  # refused before anything was extracted


def test_a_zip_bomb_spread_over_many_members_is_refused_by_its_overall_ratio(src, tmp_path, capsys):
    body = b"0" * 2_000_000  # 2 MB of one byte: each member compresses ~500x but stays far under 50 MB
    path = crafted.zip_of(src / "bomb.zip", {f"c{i:02d}.csv": b"a;b\n" + body for i in range(30)})
    before = crafted.sha256_tree(src)
    out = tmp_path / "out"
    code, err = _run(capsys, "convert", str(path), "--out", str(out))
    assert code == 2 and "overall" in err and "zip bomb" in err, err
    _assert_clean(src, before, out)


def test_extraction_stops_at_the_byte_budget_shared_by_the_members(src, tmp_path):
    path = _many_members(src, 3, 300_000)
    limits = ZipLimits(max_bytes=700_000)
    dest = tmp_path / "dest"
    dest.mkdir()
    extract_members(path, "couche_000.csv", dest, (), limits)
    extract_members(path, "couche_001.csv", dest, (), limits)
    with pytest.raises(InputError, match=r"expands beyond 0\.7 MB"):
        extract_members(path, "couche_002.csv", dest, (), limits)
    assert sorted(p.name for p in dest.iterdir()) == ["couche_000.csv", "couche_001.csv"]  # no partial third


def test_extraction_stops_at_the_time_bound(src, tmp_path, capsys, monkeypatch):
    path = _many_members(src, 2, 50_000)
    before = crafted.sha256_tree(src)
    monkeypatch.setenv("ODL_GEO_ZIP_MAX_SECONDS", "0")
    out = tmp_path / "out"
    code, err = _run(capsys, "convert", str(path), "--out", str(out))
    assert code == 2 and "took longer than 0 s" in err, err
    _assert_clean(src, before, out)


def test_only_the_member_of_the_layer_asked_for_is_extracted(src, tmp_path, capsys):
    good = crafted.fountains_csv(src / "x.csv").read_bytes()
    crafted.corrupt_zip(src / "d.zip", "a.csv", good * 50)
    # a zip holding a damaged a.csv (copied byte for byte from d.zip) and a sound b.csv
    (src / "two.zip").write_bytes(_zip_with_raw_member(src / "d.zip", "a.csv", good))
    for p in (src / "x.csv", src / "d.zip"):
        p.unlink()
    before = crafted.sha256_tree(src)
    out = tmp_path / "out"
    code, err = _run(capsys, "convert", str(src / "two.zip"), "--out", str(out), "--layer", "b", "--to", "geojson")
    assert code == 0, err
    assert (out / "b.geojson").is_file()
    assert crafted.sha256_tree(src) == before
    code, err = _run(capsys, "convert", str(src / "two.zip"), "--out", str(tmp_path / "all"), "--to", "geojson")
    assert code == 2 and "is damaged" in err, err  # all layers: the damaged member is read, and said


def _zip_with_raw_member(damaged_zip: Path, name: str, sound: bytes) -> bytes:
    """A zip with ``b.csv`` (sound) and the damaged member ``name`` copied byte for byte from ``damaged_zip``."""
    import io

    raw = damaged_zip.read_bytes()
    with zipfile.ZipFile(damaged_zip) as zd:
        info = zd.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = raw[start : start + info.compress_size]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zt:
        zt.writestr("b.csv", sound)
    out = bytearray(buf.getvalue())
    # append the damaged member: local header + data, then rebuild the central directory with both entries
    with zipfile.ZipFile(io.BytesIO(bytes(out))) as zb:
        b_info = zb.getinfo("b.csv")
    cd_at = out.rfind(b"PK\x01\x02")
    body = out[:cd_at]
    a_offset = len(body)
    fname = name.encode()
    local = (b"PK\x03\x04" + (20).to_bytes(2, "little") + (0).to_bytes(2, "little") + (8).to_bytes(2, "little")
             + (0).to_bytes(4, "little") + info.CRC.to_bytes(4, "little") + info.compress_size.to_bytes(4, "little")
             + info.file_size.to_bytes(4, "little") + len(fname).to_bytes(2, "little") + (0).to_bytes(2, "little")
             + fname)  # fmt: skip
    body += local + data

    def central(i_name: bytes, crc: int, csize: int, usize: int, offset: int) -> bytes:
        return (b"PK\x01\x02" + (20).to_bytes(2, "little") + (20).to_bytes(2, "little") + (0).to_bytes(2, "little")
                + (8).to_bytes(2, "little") + (0).to_bytes(4, "little") + crc.to_bytes(4, "little")
                + csize.to_bytes(4, "little") + usize.to_bytes(4, "little") + len(i_name).to_bytes(2, "little")
                + (0).to_bytes(6, "little") + (0).to_bytes(2, "little") + (0).to_bytes(4, "little")
                + offset.to_bytes(4, "little") + i_name)  # fmt: skip

    cd = central(b"b.csv", b_info.CRC, b_info.compress_size, b_info.file_size, b_info.header_offset)
    cd += central(fname, info.CRC, info.compress_size, info.file_size, a_offset)
    end = (b"PK\x05\x06" + (0).to_bytes(4, "little") + (2).to_bytes(2, "little") + (2).to_bytes(2, "little")
           + len(cd).to_bytes(4, "little") + len(body).to_bytes(4, "little") + (0).to_bytes(2, "little"))  # fmt: skip
    return bytes(body + cd + end)


def test_nonfinite_points_are_found_across_chunks(tmp_path, monkeypatch):
    """The raw NaN scan reads the index in slices (flat memory on millions of points): record numbers stay global."""
    from odl_geo.sources import nonfinite

    nan = float("nan")
    pts = [(700_000.0 + i, 6_300_000.0) for i in range(10)]
    for i in (1, 4, 5, 9):
        pts[i] = (nan, 6_300_000.0) if i % 2 else (700_000.0, float("inf"))
    shp = crafted.point_shapefile(tmp_path / "pts.shp", pts)
    whole = nonfinite.nonfinite_points(shp, shp.with_suffix(".shx"))
    monkeypatch.setattr(nonfinite, "_CHUNK", 3)
    sliced = nonfinite.nonfinite_points(shp, shp.with_suffix(".shx"))
    assert whole.tolist() == sliced.tolist() == [1, 4, 5, 9]

"""Reading and conforming shortcuts give exactly what the former code gave (kept here as the reference).

HTML entities (``normalise.attributes.unescape_html``): decoded per distinct row holding one, put back by Arrow,
against the former row-by-row decoding of the whole column, on generated messy texts and a real Geotrek sample.
Unbalanced CSV quotes (``sources.csvfile._quote_problems``): the quotes counted on the bytes first, against the
former line-by-line reading, on generated files (quoted runs over several lines, CRLF and CR line ends, invalid
UTF-8 next to quotes, a BOM) and the bundled CSV samples.
"""

from __future__ import annotations

import html
import random
import re
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pytest

from odl_geo.normalise.attributes import unescape_html
from odl_geo.report import Issue, Severity
from odl_geo.sources.csvfile import _quote_problems

_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


@lru_cache(maxsize=4096)
def _decoded(entity: str) -> str:
    return html.unescape(entity)


def _former_unescape(col: pa.Array) -> tuple[pa.Array, int]:
    """``unescape_html`` as it was (a3f7af7): the whole column to Python, each row decoded."""
    values = col.to_pylist()
    out = [_ENTITY.sub(lambda m: _decoded(m.group(0)), v) if v and "&" in v else v for v in values]
    changed = sum(1 for a, b in zip(values, out, strict=True) if a is not b and a != b)
    return pa.array(out, type=col.type), changed


_PIECES = [
    "Crête", "&eacute;", "&Eacute;", "&laquo;", "&raquo;", "&amp;", "&amp;amp;", "&#233;", "&#xE9;", "&#XE9;",
    "&#x1F600;", "&#0;", "&#1114112;", "&#x110000;", "&#55296;", "&nbsp;", "&foo;", "&unknownentity;", "&a;",
    "&eacute", "&#233", "?id=3&region=oc", "AT&T", "&", ";", "&#١٢٣;", "&#٣;&eacute;", "&#x;", "&#;", " ",
    "\u00a0", "\n", "é", "日本", "😀", "&lt;b&gt;", "<p>", "&quot;", "&apos;", "&" + "a" * 31 + ";",
    "&" + "a" * 33 + ";", "&notin;", "&not;in", "&notit;", "",
]  # fmt: skip


def _texts(seed: int, n: int, distinct: int) -> list[str | None]:
    rnd = random.Random(seed)
    pool = ["".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 8))) for _ in range(distinct)]
    return [None if rnd.random() < 0.1 else rnd.choice(pool) for _ in range(n)]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_unescape_html_is_the_row_by_row_decoding(seed: int, kind: pa.DataType) -> None:
    col = pa.array(_texts(seed, 3000, [1, 5, 50, 3000][seed % 4]), type=kind)
    out, changed = unescape_html(col)
    expected, expected_changed = _former_unescape(col)
    assert out.type == kind
    assert out.equals(expected) and changed == expected_changed


def test_unescape_html_on_columns_without_entities_or_values() -> None:
    for values in ([], [None, None], ["", " ", "AT&T", "&#١٢٣;", "&eacute"], ["&foo;", "&unknownentity;"]):
        col = pa.array(values, type=pa.string())
        out, changed = unescape_html(col)
        expected, expected_changed = _former_unescape(col)
        assert out.equals(expected) and changed == expected_changed == 0
    sliced = pa.array(["x", "&eacute;", None, "y &amp; z", "plain", "&lt;"] * 3).slice(4, 9)  # an offset
    out, changed = unescape_html(sliced)
    expected, expected_changed = _former_unescape(sliced)
    assert out.equals(expected) and changed == expected_changed == 4
    chunked = pa.chunked_array([["&eacute;t&eacute;", None], ["x &amp; y"]])
    out, changed = unescape_html(chunked)
    assert out.to_pylist() == ["été", None, "x & y"] and changed == 2


def test_unescape_html_on_a_real_geotrek_sample(shared_data: Path) -> None:
    import json

    texts: list[str | None] = []
    for path in sorted((shared_data / "hiking").rglob("*.json")) + sorted((shared_data / "hiking").rglob("*.geojson")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        for feature in data.get("features", []) if isinstance(data, dict) else []:
            for value in (feature.get("properties") or {}).values():
                if isinstance(value, str):
                    texts.append(value)
    assert any("&eacute;" in t for t in texts if t)  # the samples hold entities: the test decodes real ones
    col = pa.array(texts * 3 + [None], type=pa.string())
    out, changed = unescape_html(col)
    expected, expected_changed = _former_unescape(col)
    assert out.equals(expected) and changed == expected_changed > 0


def _former_quote_problems(path: Path, layer: str) -> list[Issue]:
    """``_quote_problems`` as it was (f889d15): every line read and its quotes counted."""
    inside, opened_at = False, 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.count('"') % 2:
                inside = not inside
                opened_at = lineno if inside else opened_at
    if inside:
        return [
            Issue(
                "CSV_UNBALANCED_QUOTE",
                Severity.ERROR,
                f"{path.name}: the double quote opened on line {opened_at} is never closed, so every line after "
                "it is read as part of one value (rows are lost).",
                f"Fix the quote on line {opened_at} in a spreadsheet or text editor, then convert again.",
                layer=layer,
            )
        ]
    return []


def _english(issue: Issue) -> dict[str, object]:
    """The issue's fields but its French texts (which ``_former_quote_problems`` does not write)."""
    return {k: v for k, v in vars(issue).items() if k not in ("message_fr", "hint_fr")}


_CSV_PIECES = [
    b"a", b"12,5", b";", b",", b'"', b'""', b'"x;y"', b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xe2\x80", b"\xe2",
    b"\xff", b"\xc3", b" ", b"\t", b'"\n"', b"\xef\xbb\xbf",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_quote_problems_as_the_line_by_line_reading(seed: int, tmp_path: Path) -> None:
    rnd = random.Random(seed)
    data = b"".join(rnd.choice(_CSV_PIECES) for _ in range(rnd.randint(0, 400)))
    if seed % 3 == 0 and data.count(b'"') % 2:  # as many balanced files as unbalanced ones
        data += b'"'
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    found, expected = _quote_problems(path, "fuzz"), _former_quote_problems(path, "fuzz")
    assert [_english(i) for i in found] == [_english(i) for i in expected]
    assert all(i.message_fr and i.hint_fr for i in found)  # the French beside it (the former reading had none)
    assert bool(found) == bool(data.count(b'"') % 2)


def test_quote_problems_names_the_line_that_opened_the_quote(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b'id;nom\r\n1;"Fontaine\r\n2;"Lavoir ""vieux"" ";x\r3;Puits\n')
    (issue,) = _quote_problems(path, "broken")
    assert issue.code == "CSV_UNBALANCED_QUOTE" and issue.severity is Severity.ERROR
    assert "line 2 " in issue.message and [_english(i) for i in _former_quote_problems(path, "broken")] == [
        _english(issue)
    ]
    path.write_bytes(b'id;nom\n1;"Fontaine\nsur deux lignes"\n2;"a ""b"" c"\n')
    assert _quote_problems(path, "ok") == [] == _former_quote_problems(path, "ok")


def test_quote_problems_on_the_bundled_csv_samples(shared_data: Path) -> None:
    samples = sorted(shared_data.rglob("*.csv")) + sorted(Path(__file__).parents[1].joinpath("data").rglob("*.csv"))
    assert len(samples) >= 5
    for path in samples:
        assert [_english(i) for i in _quote_problems(path, path.stem)] == [
            _english(i) for i in _former_quote_problems(path, path.stem)
        ], path

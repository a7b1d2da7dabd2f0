"""Reading and conforming shortcuts give exactly what the former code gave (kept here as the reference).

HTML entities (``normalise.attributes.unescape_html``): decoded per distinct row holding one, put back by Arrow,
against the former row-by-row decoding of the whole column, on generated messy texts and a real Geotrek sample.
"""

from __future__ import annotations

import html
import random
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa
import pytest

from odl_geo.normalise.attributes import unescape_html

if TYPE_CHECKING:
    from pathlib import Path

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

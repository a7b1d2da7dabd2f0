"""Every issue code odl_geo can emit is documented, so front ends and users can look each one up.

The codes are collected from the source, as the string literals given as code to ``Issue(...)``, ``Check(...)``
(the check registry), the pipeline's ``_add(...)`` and the Shapefile integrity's ``Damage(...)``; a code in a
message only would not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = ("docs/errors.md", "docs/themes.md")
CODE_CALLS = {"Issue", "Check", "_add", "Damage"}
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def emitted_codes() -> dict[str, str]:
    """code -> first place (file:line) it is emitted."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "odl_geo").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in CODE_CALLS:
                continue
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "code")]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                    found.setdefault(arg.value, f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def documented_codes() -> set[str]:
    text = "\n".join((REPO / doc).read_text(encoding="utf-8") for doc in DOCS)
    return set(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", text))


def test_the_collector_sees_the_codes_of_each_kind_of_call() -> None:
    codes = emitted_codes()
    assert {"CRS_MISSING", "GDAL_WARNING", "LAYER_RENAMED", "CSV_EXTRA_VALUES"} <= set(codes)  # Issue(), _add()
    assert {"DBF_RECORDS_MISSING", "SHX_OFFSETS_WRONG"} <= set(codes)  # Damage()
    assert len(codes) > 60


def test_every_emitted_issue_code_is_documented() -> None:
    missing = {code: where for code, where in emitted_codes().items() if code not in documented_codes()}
    assert not missing, f"issue codes missing from {' / '.join(DOCS)}: {missing}"

"""The library's layers only look down: a module never imports from a layer above its own.

Why a test: the issue model once lived in ``checks/`` while readers, normalisation and writers imported it, and
``sources`` imported from ``exports``; at package level they formed one loop, so no part could be read, tested or
reused without all the others. The order below is the house plan (see STYLE.md, rule 18); a new top-level module
or package must be placed in it, which is the moment to decide what it may use.

Imports under ``if TYPE_CHECKING:`` are not counted: they exist for the type checker only, never run, and so add no
dependency (a report renderer may name the ``ThemeRun`` type it renders without importing the theme runner).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "odl_geo"

#: bottom to top; units on one line are peers and may not import each other.
LAYERS: list[set[str]] = [
    {"_version", "errors", "style_fields", "csvsafe", "numbers"},  # numbers: imports nothing; the issue model uses it
    {"feedback", "credentials", "report", "values", "naming", "memory", "lazy"},
    {"http"},
    {"crs"},
    {"sources"},
    {"normalise"},
    {"exports", "inspect"},
    {"conversion"},
    {"checks"},
    {"profiles"},
    {"reports"},
    {"theme", "metadata"},
    {"serve"},
    {"publishers"},
    {"jobs"},
    {"embed"},  # reads back what publishers and job runs wrote (layer names, the journal) to write the snippet
    {"monitor"},
    {"cli"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def _unit(dotted: str) -> str:
    """``odl_geo.checks.report`` -> ``checks``: the top-level module or package a dotted name belongs to."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for child in ast.walk(node))
    return inside


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, imported odl_geo module)`` for every runtime import in one file, relative ones resolved."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = list(rel[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                if node.module:
                    found.append((node.lineno, ".".join([*base, node.module])))
                else:
                    found.extend((node.lineno, ".".join([*base, a.name])) for a in node.names)
            elif node.module and node.module.split(".")[0] == "odl_geo":
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "odl_geo")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_top_level_unit_has_a_layer() -> None:
    units = {_unit(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)) for p in _modules()}
    missing = sorted(units - set(RANK))
    assert not missing, f"place these in LAYERS (tests/unit/test_layers.py): {missing}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_look_down(path: Path) -> None:
    here = _unit(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    upward = [
        f"line {line}: {target} ({_unit(target)} is not below {here})"
        for line, target in _imports(path)
        if _unit(target) != here and RANK.get(_unit(target), -1) >= RANK[here]
    ]
    assert not upward, "\n".join(upward)


def test_the_parser_resolves_relative_imports() -> None:
    """Control: relative imports are found and resolved to their unit (else every module would pass)."""
    sample = PACKAGE / "sources" / "opener.py"
    targets = {_unit(t) for _, t in _imports(sample)}
    assert "naming" in targets and "exports" not in targets

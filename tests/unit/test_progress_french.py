"""The steps' progress lines are said in the terminal's (or QGIS's) language: « Lecture de sentiers.shp ».

Why pinned by reading the source: a step's line is written where the step starts (``feedback.info(f"Reading
{layer.display}")``), in English for logs; :func:`odl_geo.feedback.progress_text` says the known ones in French.
A new line with words and no French would show English in a French terminal: the test finds it.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console

from odl_geo.cli.progress import RichFeedback
from odl_geo.feedback import progress_text

PACKAGE = Path(__file__).resolve().parents[2] / "odl_geo"
#: receivers of the steps' lines (a Feedback under its usual names)
RECEIVERS = re.compile(r"(feedback|fb|told)$")


def _samples() -> list[tuple[str, str]]:
    """``(where, line)`` for each literal line given to a Feedback's ``info`` or ``progress``, its placeholders
    filled with ``12``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("info", "progress"):
                continue
            receiver = ast.unparse(node.func.value)
            if not RECEIVERS.search(receiver):
                continue
            args = node.args[1:] if node.func.attr == "progress" else node.args
            for arg in args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    line = arg.value
                elif isinstance(arg, ast.JoinedStr):
                    line = "".join(v.value if isinstance(v, ast.Constant) else "12" for v in arg.values)
                else:
                    continue
                found.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", line))
    return found


def test_every_step_line_with_words_has_its_french():
    samples = _samples()
    assert len(samples) > 15  # the walk finds the steps' lines
    untranslated = [
        f"{where} {line!r}"
        for where, line in samples
        if re.search(r"[A-Za-z]{3,}", line) and progress_text(line, "fr") == line
    ]
    assert not untranslated, "\n".join(untranslated)


@pytest.mark.parametrize(
    ("line", "french"),
    [
        ("Opening fontaines.csv", "Ouverture de fontaines.csv"),
        ("Reading PPR.zip:uuid/N_ZONE_ALEA.shp", "Lecture de PPR.zip:uuid/N_ZONE_ALEA.shp"),
        ("checking water:fontaines", "Vérification de water:fontaines"),
        ("Validating against the hiking schema", "Validation par le schéma hiking"),
        ("sentiers -> public.sentiers (1004 features)", "sentiers -> public.sentiers (1\u202f004 objets)"),
        ("sentiers -> public.sentiers (1 features)", "sentiers -> public.sentiers (1 objet)"),
        (
            "uploading a.gpkg (2048 bytes) to datastore 'rando'",
            "envoi de a.gpkg (2\u202f048 octets) dans l'entrepôt 'rando'",
        ),
        ("  -> GeoPackage", "  -> GeoPackage"),
        ("[2/3] sentiers", "[2/3] sentiers"),
    ],
)
def test_the_lines_in_french(line, french):
    assert progress_text(line, "fr") == french
    assert progress_text(line, "en") == line


def test_a_french_terminal_shows_the_steps_in_french():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=200)
    with RichFeedback(console, enabled=False, verbose=True, lang="fr") as fb:
        fb.info("Reading sentiers.shp")
        fb.info("Writing the products")
    assert "Lecture de sentiers.shp" in buffer.getvalue() and "Écriture des produits" in buffer.getvalue()
    buffer = io.StringIO()
    with RichFeedback(Console(file=buffer, width=200), enabled=False, verbose=True) as fb:
        fb.info("Reading sentiers.shp")
    assert "Reading sentiers.shp" in buffer.getvalue()


if __name__ == "__main__":
    for where, line in _samples():
        print(where, repr(line), "->", repr(progress_text(line, "fr")), file=sys.stdout)

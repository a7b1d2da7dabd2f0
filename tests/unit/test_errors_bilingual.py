"""Every error odl_geo raises says what is wrong and what to do in French as well as in English.

Why pinned by reading the source: an error is raised where something goes wrong, often on a path no test walks (a
disk full, a server's odd answer), and a French SIG administrator must not meet the one English sentence of the
tool there. Each construction of an :class:`~odl_geo.errors.OdlGeoError` (its subclasses included, the package's
own too) passes ``message_fr=``; a subclass that writes its own message passes it to ``super().__init__``.
``python tests/unit/test_errors_bilingual.py [path prefix ...]`` lists the constructions still without it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from odl_geo.cli.language import error_language
from odl_geo.errors import AuthError, InputError, OdlGeoError, RemoteError

PACKAGE = Path(__file__).resolve().parents[2] / "odl_geo"
BASE = "OdlGeoError"


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}


def _error_classes(trees: dict[Path, ast.Module]) -> tuple[set[str], set[str]]:
    """The names of OdlGeoError and its subclasses defined in the package; those with an ``__init__`` of their
    own that takes no ``message_fr`` (they write their message themselves)."""
    names, own_init = {BASE}, set()
    classes = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    for cls in classes:
        if cls.name not in names:
            continue
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                params = {a.arg for a in item.args.args + item.args.kwonlyargs}
                if "message_fr" not in params:
                    own_init.add(cls.name)
    return names, own_init


def missing_french(prefixes: tuple[str, ...] = ()) -> list[str]:
    """``path:line ClassName`` of each construction of an error without ``message_fr``."""
    trees = _trees()
    names, own_init = _error_classes(trees)
    found = []
    for path, tree in trees.items():
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if prefixes and not rel.startswith(prefixes):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            passes_on = any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args)
            if passes_on or any(k.arg == "message_fr" for k in node.keywords):
                continue
            if name in names and name not in own_init:
                found.append(f"{rel}:{node.lineno} {name}")
            elif name == "__init__" and isinstance(func, ast.Attribute) and _in_own_init(tree, node, own_init):
                found.append(f"{rel}:{node.lineno} super().__init__")
    return found


def _in_own_init(tree: ast.Module, call: ast.Call, own_init: set[str]) -> bool:
    """True when ``call`` (``super().__init__(...)``) is in the ``__init__`` of a class of ``own_init``."""
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef) and cls.name in own_init:
            for item in cls.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__" and call in ast.walk(item):
                    return True
    return False


def test_every_error_is_raised_with_its_french():
    missing = missing_french()
    assert not missing, f"{len(missing)} errors without message_fr:\n" + "\n".join(missing)


def test_text_picks_the_language_and_keeps_message_and_hint_together():
    both = InputError(
        "File x is empty.", "Export it again.", message_fr="Le fichier x est vide.", hint_fr="Réexportez-le."
    )
    assert both.text("fr") == ("Le fichier x est vide.", "Réexportez-le.")
    assert both.text("en") == ("File x is empty.", "Export it again.")
    english = InputError("File x is empty.", "Export it again.")
    assert english.text("fr") == ("File x is empty.", "Export it again.")
    no_hint = OdlGeoError("Stopped.", message_fr="Arrêté.")
    assert no_hint.text("fr") == ("Arrêté.", "")
    auth = AuthError("Refused.", "Check the password.", "401 body", 401, message_fr="Refusé.", hint_fr="Vérifiez.")
    assert (auth.status, auth.text("fr"), auth.exit_code) == (401, ("Refusé.", "Vérifiez."), 6)
    said = RemoteError("Failed.", status=500, message_fr="Échec.").to_dict()
    assert said["message_fr"] == "Échec." and said["status"] == "500" and said["hint_fr"] == ""


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        ((), {"LANG": "fr_FR.UTF-8"}, "fr"),
        ((), {"LANG": "C.UTF-8"}, "en"),
        ((), {}, "en"),
        ((), {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ((), {"LC_MESSAGES": "fr_BE.UTF-8", "LANG": "C"}, "fr"),
        ((), {"ODL_GEO_LANG": "fr", "LANG": "C"}, "fr"),
        (("convert", "x.csv", "--lang", "en"), {"LANG": "fr_FR.UTF-8"}, "en"),
        (("convert", "x.csv", "--lang=fr"), {"LANG": "C"}, "fr"),
        (("convert", "--", "--lang", "fr"), {"LANG": "C"}, "en"),
    ],
)
def test_the_command_lines_error_language(argv, env, lang):
    assert error_language(argv, env) == lang


def _odl(args: list[str], lang_env: str, tmp_path: Path) -> tuple[int, str]:
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "ODL_GEO_LANG"))}
    env["LANG"] = lang_env
    done = subprocess.run(
        [sys.executable, "-m", "odl_geo.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    return done.returncode, done.stderr


def test_a_french_terminal_reads_the_error_in_french(tmp_path):
    code, err = _odl(["inspect", str(tmp_path / "absent.shp")], "fr_FR.UTF-8", tmp_path)
    assert code == 2
    assert err.startswith("erreur :"), err
    assert "absent.shp" in err and "introuvable" in err, err


def test_an_english_or_c_locale_keeps_the_english(tmp_path):
    code, err = _odl(["inspect", str(tmp_path / "absent.shp")], "C.UTF-8", tmp_path)
    assert code == 2
    assert err.startswith("error:"), err
    assert "absent.shp" in err and "introuvable" not in err, err


if __name__ == "__main__":
    rows = missing_french(tuple(sys.argv[1:]))
    print("\n".join(rows))
    print(f"{len(rows)} without message_fr", file=sys.stderr)

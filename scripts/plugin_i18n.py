"""Update qgis_plugin/resources/i18n/odl_geo_<lang>.ts from the tr("...") calls of the plugin.

English strings are the source; existing translations are kept, new strings are added "unfinished",
strings no longer used are marked obsolete. Run: .venv/bin/python scripts/plugin_i18n.py [--check]
(--check fails when a string has no translation: CI keeps the French translation complete).
"""

from __future__ import annotations

import argparse
import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin"
I18N = PLUGIN / "resources" / "i18n"
CONTEXT = "OdlGeo"
LANGS = ("fr",)


def source_strings() -> dict[str, str]:
    """English string -> first location (file:line), from tr("literal") calls."""
    found: dict[str, str] = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "tr_noop")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
            # algorithm names: DISPLAY/GROUP class attributes, translated at run time with tr(self.DISPLAY)
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                pairs = (zip(target.elts, value.elts, strict=False) if isinstance(target, ast.Tuple)
                         and isinstance(value, ast.Tuple) else [(target, value)])
                for name, val in pairs:
                    if (isinstance(name, ast.Name) and name.id in ("DISPLAY", "GROUP")
                            and isinstance(val, ast.Constant) and isinstance(val.value, str) and val.value):
                        found.setdefault(val.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def read_ts(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    out = {}
    for msg in ET.parse(path).getroot().iter("message"):
        src, tr = msg.findtext("source"), msg.find("translation")
        if src is not None and tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete"):
            out[src] = tr.text
    return out


def write_ts(path: Path, lang: str, strings: dict[str, str], known: dict[str, str]) -> list[str]:
    root = ET.Element("TS", version="2.1", language=f"{lang}_FR" if lang == "fr" else lang)
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    missing = []
    for src in sorted(strings):
        msg = ET.SubElement(ctx, "message")
        file, line = strings[src].rsplit(":", 1)
        ET.SubElement(msg, "location", filename=f"../../../{file}", line=line)
        ET.SubElement(msg, "source").text = src
        tr = ET.SubElement(msg, "translation")
        if src in known:
            tr.text = known[src]
        else:
            tr.set("type", "unfinished")
            missing.append(src)
    ET.indent(root)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                    + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="fail if a string is untranslated (writes nothing)")
    args = ap.parse_args()
    strings = source_strings()
    status = 0
    for lang in LANGS:
        path = I18N / f"odl_geo_{lang}.ts"
        known = read_ts(path)
        missing = [s for s in strings if s not in known] if args.check else write_ts(path, lang, strings, known)
        for s in missing:
            print(f"{lang}: untranslated: {s!r} ({strings[s]})")
        status |= bool(missing)
        print(f"{lang}: {len(strings) - len(missing)}/{len(strings)} strings translated")
    return status if args.check else 0


if __name__ == "__main__":
    sys.exit(main())

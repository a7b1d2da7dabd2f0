"""Field names inside a style (SLD/SE or QML) renamed to the names of the published product.

A SIG administrator's style classifies on the source's fields (``TYPE``, ``NIV_ALEA``); once the layer is conformed
to a national schema those fields are called ``type_pei``, ``niveaualea``. Publishing the style as it is would
draw nothing (GeoServer: no rule matches) or everything in the default symbol (QGIS). This rewrites the field
references the two formats have:

- SLD 1.0 / SE 1.1: every ``PropertyName`` element (filters, labels, data-driven sizes);
- QML: the renderer's ``attr``, rule ``filter`` and label ``fieldName`` attributes, and every expression
  held in ``expression`` / ``filter`` / ``attr`` / ``value`` attributes, where field names are double-quoted
  identifiers (``"TYPE" = 'PI'``), as QGIS writes them.

Field references that are neither (a bare identifier typed by hand into an expression) are left alone; ``unknown``
lists the fields the style classifies on that the product does not have, so that the caller can warn. Pure Python
(lxml): the QGIS plugin calls it in QGIS's process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

__all__ = ["RenamedStyle", "rename_qml_fields", "rename_sld_fields"]

_QUOTED = re.compile(r'"((?:[^"]|"")+)"')
_EXPRESSION_ATTRS = ("expression", "filter", "attr", "value", "fieldName")


@dataclass
class RenamedStyle:
    """The style's bytes after renaming, which names were replaced, and which referenced fields are not published."""

    content: bytes
    renamed: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # fields the style uses that the product does not have


def _parse(content: bytes) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.ElementTree(etree.fromstring(content, parser))


def rename_sld_fields(content: bytes, renames: dict[str, str], published: set[str] | None = None) -> RenamedStyle:
    """Rename ``PropertyName`` values of an SLD/SE document.

    :param renames: source field -> product field.
    :param published: the product's fields; references to other fields are reported in ``unknown``.
    """
    tree = _parse(content)
    out = RenamedStyle(b"")
    for el in tree.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "PropertyName" and el.text:
            name = el.text.strip()
            if name in renames:
                el.text = renames[name]
                out.renamed[name] = renames[name]
            elif published is not None and name not in published:
                out.unknown.append(name)
    out.content = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    out.unknown = sorted(set(out.unknown))
    return out


def _rename_expression(text: str, renames: dict[str, str], out: RenamedStyle) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1).replace('""', '"')
        if name in renames:
            out.renamed[name] = renames[name]
            return '"' + renames[name].replace('"', '""') + '"'
        return m.group(0)

    return _QUOTED.sub(one, text)


def rename_qml_fields(content: bytes, renames: dict[str, str], published: set[str] | None = None) -> RenamedStyle:
    """Rename field references of a QML document (renderer attribute, rule filters, labels, expressions)."""
    tree = _parse(content)
    out = RenamedStyle(b"")
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _EXPRESSION_ATTRS:
            value = el.get(attr)
            if not value:
                continue
            if value in renames and attr in ("attr", "fieldName"):
                el.set(attr, renames[value])  # a plain field name
                out.renamed[value] = renames[value]
            else:
                el.set(attr, _rename_expression(value, renames, out))
        if el.tag == "renderer-v2" and published is not None:
            used = (el.get("attr") or "").strip().strip('"')
            if used and re.fullmatch(r"\w+", used) and used not in published and used not in renames.values():
                out.unknown.append(used)
    out.content = etree.tostring(tree, encoding="UTF-8")
    out.unknown = sorted(set(out.unknown))
    return out

"""Writing a mapping file (TOML) from choices made elsewhere: the QGIS plugin's mapping table, ``odl-geo mapping``.

The standard library reads TOML but does not write it. A mapping file only holds tables of strings, numbers,
booleans and lists of strings, so it is written here; every string goes through :func:`json.dumps`, whose escapes
(``\\"``, ``\\\\``, ``\\n``, ``\\uXXXX``) are exactly TOML's basic-string escapes. What is written is read back with
:func:`odl_geo.profiles.mapping.parse_mapping` by the tests, accents, quotes and role sections included.

Pure Python on purpose: the plugin imports it inside QGIS, where the GDAL stack must not be loaded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MappingChoices", "dump_mapping", "toml_key"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be (``nom_itineraire``), quoted otherwise (``"rando pédestre"``)."""
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple | set | frozenset):
        return "[" + ", ".join(_value(x) for x in (sorted(v) if isinstance(v, set | frozenset) else v)) + "]"
    return json.dumps(str(v), ensure_ascii=False)


@dataclass
class MappingChoices:
    """What a mapping file says, by role ("" = every role): the same shape as :class:`~.mapping.Mapping`.

    :param fields: role -> target field -> source field ("" leaves the target empty on purpose).
    :param constants: role -> target field -> value for every feature.
    :param values: role -> target field -> raw value -> schema code.
    :param anonymise: the ``[anonymise]`` section (``keep``, ``drop``, ``mask``, ``scan_free_text``,
        ``mask_free_text``).
    :param comments: lines written as ``#`` comments at the top (what is left to decide, for a person).
    """

    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    anonymise: dict[str, Any] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "constants": self.constants,
            "values": self.values,
            "anonymise": self.anonymise,
            "comments": self.comments,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MappingChoices:
        return cls(
            fields={str(r): {str(k): str(v) for k, v in t.items()} for r, t in (data.get("fields") or {}).items()},
            constants={str(r): dict(t) for r, t in (data.get("constants") or {}).items()},
            values={
                str(r): {str(f): {str(k): str(v) for k, v in m.items()} for f, m in t.items()}
                for r, t in (data.get("values") or {}).items()
            },
            anonymise=dict(data.get("anonymise") or {}),
            comments=[str(c) for c in data.get("comments") or []],
        )


def dump_mapping(choices: MappingChoices) -> str:
    """The mapping file's text. Empty sections are left out; shared entries (role "") come before role tables."""
    out: list[str] = [f"# {line}".rstrip() for c in choices.comments for line in c.splitlines()]
    if out:
        out.append("")

    def section(title: str, by_role: dict[str, dict[str, Any]]) -> None:
        shared = by_role.get("", {})
        if shared:
            out.append(f"[{title}]")
            out.extend(f"{toml_key(k)} = {_value(v)}" for k, v in shared.items())
            out.append("")
        for role, table in by_role.items():
            if role and table:
                out.append(f"[{title}.{toml_key(role)}]")
                out.extend(f"{toml_key(k)} = {_value(v)}" for k, v in table.items())
                out.append("")

    section("fields", choices.fields)
    section("constants", choices.constants)
    for role, tables in choices.values.items():
        for target, table in tables.items():
            if not table:
                continue
            # a role's values table is one quoted key, "role.field" (see odl_geo.profiles.mapping)
            head = toml_key(f"{role}.{target}") if role else toml_key(target)
            out.append(f"[values.{head}]")
            out.extend(f"{toml_key(raw)} = {_value(code)}" for raw, code in table.items())
            out.append("")
    if choices.anonymise:
        out.append("[anonymise]")
        out.extend(f"{toml_key(k)} = {_value(v)}" for k, v in choices.anonymise.items())
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"

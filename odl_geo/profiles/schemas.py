"""The pinned copies of the national schemas shipped in ``odl_geo/profiles/data`` (see its SCHEMAS.md)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_schema", "schema_path"]


def schema_path(name: str) -> str:
    """Filesystem path of ``data/<name>``; the package is installed as files (setuptools package-data)."""
    return str(resources.files("odl_geo.profiles") / "data" / name)


@cache
def _load(name: str) -> str:
    return (resources.files("odl_geo.profiles") / "data" / name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the parsed schema (callers may modify it)."""
    data: dict[str, Any] = json.loads(_load(name))
    return data

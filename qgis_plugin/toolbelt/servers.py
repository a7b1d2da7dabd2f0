"""Servers defined once, like QGIS's own connections: global settings (every project, every publication), one
authentication configuration id each, never a secret. Kinds: geoserver, datagouv, postgis, csw.

``QgsSettings`` keys: ``odl_geo/servers/<kind>/<name>/<field>`` (url, authcfg, and the kind's own: workspace,
organization, schema).
"""

from __future__ import annotations

from qgis.core import QgsSettings

__all__ = ["KINDS", "delete_server", "load_server", "save_server", "server_names"]

_ROOT = "odl_geo/servers"
KINDS = ("geoserver", "datagouv", "postgis", "csw")


def server_names(kind: str) -> list[str]:
    s = QgsSettings()
    s.beginGroup(f"{_ROOT}/{kind}")
    try:
        return sorted(s.childGroups())
    finally:
        s.endGroup()


def save_server(kind: str, name: str, values: dict[str, str]) -> None:
    """Store (or replace) a server; ``values`` hold an auth configuration id at most, never a password or key."""
    if any("password" in k.lower() or k.lower() == "key" for k in values):
        raise ValueError("secrets are never stored in settings: use an authentication configuration id")
    delete_server(kind, name)
    s = QgsSettings()
    for key, value in values.items():
        s.setValue(f"{_ROOT}/{kind}/{name}/{key}", value)


def load_server(kind: str, name: str) -> dict[str, str]:
    s = QgsSettings()
    s.beginGroup(f"{_ROOT}/{kind}/{name}")
    try:
        return {key: str(s.value(key, "") or "") for key in s.childKeys()}
    finally:
        s.endGroup()


def delete_server(kind: str, name: str) -> None:
    QgsSettings().remove(f"{_ROOT}/{kind}/{name}")

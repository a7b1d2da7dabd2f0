"""Credentials from QgsAuthManager: the plugin stores only configuration ids; secrets stay in QGIS's auth DB.

QGIS 3.22 has no API-header authentication method, so a data.gouv.fr API key is kept as the password of a Basic
configuration (user name ``X-API-KEY``); it is read only at the moment a request is built, never stored or
logged elsewhere. GeoServer's Basic auth is applied by QGIS itself (``setAuthCfg``), the password never leaves it.
"""

from __future__ import annotations

from qgis.core import QgsApplication, QgsAuthMethodConfig

from odl_geo.credentials import Credentials
from odl_geo.errors import InputError

__all__ = ["api_key_credentials", "basic_credentials"]


def _load(authcfg: str) -> QgsAuthMethodConfig:
    am = QgsApplication.authManager()
    if not authcfg:
        raise InputError(
            "No authentication configuration was chosen.", "Create one in Settings > Options > Authentication."
        )
    if not am.masterPasswordIsSet() and not am.setMasterPassword(True):
        raise InputError("QGIS's master password is needed to read the credentials.", "Enter it when QGIS asks.")
    cfg = QgsAuthMethodConfig()
    if not am.loadAuthenticationConfig(authcfg, cfg, True) or not cfg.isValid():
        raise InputError(
            f"The authentication configuration {authcfg!r} cannot be read.",
            "Check it in Settings > Options > Authentication.",
        )
    return cfg


def api_key_credentials(authcfg: str) -> Credentials:
    """The API key of a Basic configuration (its password), as odl_geo Credentials (redacted repr)."""
    cfg = _load(authcfg)
    key = cfg.config("password") or ""
    if not key:
        raise InputError(
            f"The authentication configuration {cfg.name()!r} holds no API key.",
            "Put the data.gouv.fr API key in its password field.",
        )
    return Credentials(api_key=key)


def basic_credentials(authcfg: str) -> Credentials:
    """User and password of a Basic configuration (for the PostGIS worker, which cannot use QGIS's network)."""
    cfg = _load(authcfg)
    return Credentials(cfg.config("username") or None, cfg.config("password") or None)

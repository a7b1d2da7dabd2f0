"""Helpers of the QGIS tests (importable from test modules; fixtures live in conftest.py)."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsAuthMethodConfig

__all__ = ["auth_config"]


def auth_config(name: str, user: str, password: str) -> str:
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword("test-master-password", True)
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name)
    cfg.setConfig("username", user)
    cfg.setConfig("password", password)
    ok, cfg = am.storeAuthenticationConfig(cfg)
    assert ok
    return cfg.id()

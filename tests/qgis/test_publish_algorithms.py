"""The plugin's check and publish algorithms against real local targets, with QGIS's network and auth manager.

The GeoServer test double and udata run in their own processes; GeoServer and data.gouv.fr publishing run in
QGIS's process through QgisTransport, with credentials from QgsAuthManager configurations.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qgis.core import (
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
)
from qgis_support import auth_config as _auth_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def water_out(tmp_path_factory, shared_data, odl_geo_cli):
    out = tmp_path_factory.mktemp("water")
    odl_geo_cli(
        "convert",
        str(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"),
        "--to",
        "gpkg,geojson",
        "--out",
        str(out),
    )
    return out


def test_check_algorithm_writes_the_report_and_counts_errors(plugin, qgis_processing, shared_data, tmp_path):
    import processing

    res = processing.run(
        "odl_geo:check",
        {
            "INPUT": str(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"),
            "THEME": _theme_index("pei"),
            "OUTPUT": str(tmp_path / "rep"),
        },
    )
    assert Path(res["REPORT_HTML"]).is_file() and res["ERRORS"] >= 1  # PEI required fields missing: reported
    report = json.loads((tmp_path / "rep" / "report.json").read_text(encoding="utf-8"))
    assert "type_pei" in json.dumps(report, ensure_ascii=False)


def _theme_index(theme: str) -> int:
    from odl_geo.profiles.registry import PROFILES

    return list(PROFILES).index(theme)


def test_publish_to_geoserver_through_qgis_network_then_republish_unchanged(plugin, qgis_processing, water_out, double):
    import processing

    url, password = double
    authcfg = _auth_config("geoserver-double", "admin", password)
    params = {"INPUT": str(water_out), "URL": url, "WORKSPACE": "eau_alg", "AUTHCFG": authcfg}
    first = processing.run("odl_geo:publish_geoserver", params)
    assert first["CHANGED"] >= 3  # workspace, store, feature type (the layer follows the feature type)
    assert first["VERIFIED"] == 1  # in WMS capabilities, a non-blank GetMap, the WFS count: through QGIS's network
    uri = f"url='{url}/eau_alg/wfs' typename='VilleMTP_MTP_Fontaines' version='1.1.0'"
    wfs = QgsVectorLayer(uri, "w", "WFS")
    assert wfs.isValid() and wfs.featureCount() == 48  # read back through QGIS's own WFS client
    del wfs
    again = processing.run("odl_geo:publish_geoserver", params)
    assert again["CHANGED"] == 0 and again["UNCHANGED"] >= 1


def test_a_dry_run_from_processing_changes_nothing_on_the_server(plugin, qgis_processing, water_out, double):
    import processing
    import requests

    url, password = double
    authcfg = _auth_config("geoserver-dry", "admin", password)
    feedback = QgsProcessingFeedback()
    params = {"INPUT": str(water_out), "URL": url, "WORKSPACE": "eau_dry", "AUTHCFG": authcfg, "DRY_RUN": True}
    res = processing.run("odl_geo:publish_geoserver", params, feedback=feedback)
    assert res["CHANGED"] >= 3  # what would be created
    assert "would send: POST" in feedback.textLog()
    answer = requests.get(f"{url}/rest/workspaces/eau_dry.json", auth=("admin", password), timeout=10)
    assert answer.status_code == 404  # nothing was written


def test_publish_to_geoserver_with_a_wrong_password_is_a_clear_error(plugin, qgis_processing, water_out, double):
    import processing

    url, _ = double
    authcfg = _auth_config("geoserver-wrong", "admin", "not-the-password")
    with pytest.raises(QgsProcessingException, match=r"^The server refused the credentials: .*→ ") as info:
        processing.run(
            "odl_geo:publish_geoserver", {"INPUT": str(water_out), "URL": url, "WORKSPACE": "eau2", "AUTHCFG": authcfg}
        )
    assert "not-the-password" not in str(info.value)


def test_publish_to_datagouv_with_the_key_from_the_auth_manager(plugin, qgis_processing, water_out, udata):
    import processing

    site = udata["BASE_URL"].removesuffix("/api/1")
    authcfg = _auth_config("udata-key", "X-API-KEY", udata["API_KEY"])
    params = {
        "INPUT": str(water_out),
        "URL": site,
        "ORGANIZATION": udata["ORG_SLUG"],
        "AUTHCFG": authcfg,
        "DATASET_KEY": "bornes-fontaines-montpellier",
    }
    first = processing.run("odl_geo:publish_datagouv", params)
    assert first["BYTES"] > 0 and first["DATASET_ID"]
    again = processing.run("odl_geo:publish_datagouv", params)
    assert again["BYTES"] == 0 and again["DATASET_ID"] == first["DATASET_ID"]  # found again, nothing uploaded

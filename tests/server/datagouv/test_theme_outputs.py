"""Theme outputs (``odl-geo convert --theme``) published to the real udata with no metadata option at all: the
resource carries the product's Etalab schema, the dataset the zones, granularity and producer of the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odl_geo.publishers.datagouv import PublishOptions, publish_outputs
from odl_geo.sources import ReadOptions
from odl_geo.theme import convert_theme
from odl_geo.theme.run import ThemeOptions

from .test_publish import server_dataset

pytestmark = pytest.mark.server

HIKING = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
PEI = Path(__file__).resolve().parents[2] / "data" / "pei" / "pei_generated_occitanie.csv"  # synthetic fixture


def test_hiking_product_gets_its_schema_zones_and_producer(udata, client, shared_data, tmp_path):
    out = tmp_path / "hiking"
    convert_theme(shared_data / HIKING, out, "hiking")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (product,) = manifest["files"]
    assert product["schema"] == {"name": "PnX-SI/schema_randonnee", "version": "1.0.2"}
    assert manifest["title"] == "Itinéraires de randonnée"
    assert manifest["source"]["zones"] == ["fr:departement:30", "fr:departement:48"]  # 16 communes of 2 deps

    result = publish_outputs(out, client, PublishOptions(organization=udata.info["ORG_ID"], dataset_key="th-hiking"))
    ds = server_dataset(udata, result.dataset_id)
    (res,) = ds["resources"]
    assert res["schema"]["name"] == "PnX-SI/schema_randonnee" and res["schema"]["version"] == "1.0.2"
    assert sorted(ds["spatial"]["zones"]) == ["fr:departement:30", "fr:departement:48"]
    assert ds["spatial"]["granularity"] == "other"
    assert "- Producteur : CC Causses Aigoual Cévennes Terres Solidaires, CC Céze Cévennes" in ds["description"]
    assert "- Schéma : [PnX-SI/schema_randonnee 1.0.2]" in ds["description"]
    assert result.warnings == []
    # no --title, no metadata record: the product's title and who publishes it, not the file's name
    assert ds["title"] == "Itinéraires de randonnée — Local Test Org"


def test_pei_product_gets_its_schema_and_the_declared_area(udata, client, tmp_path):
    out = tmp_path / "pei"
    options = ThemeOptions(fix=True, drop_invalid=True, area="occitanie")
    convert_theme(PEI, out, "pei", options, read_options=ReadOptions(source_crs="EPSG:2154"))
    result = publish_outputs(out, client, PublishOptions(organization=udata.info["ORG_ID"], dataset_key="th-pei"))
    ds = server_dataset(udata, result.dataset_id)
    (res,) = ds["resources"]
    assert res["format"] == "csv"
    assert res["schema"]["name"] == "datakode/schema-pei" and res["schema"]["version"] == "1.0.0"
    assert ds["spatial"]["zones"] == ["fr:region:76"]  # --area occitanie: the whole région
    assert ds["spatial"]["granularity"] == "poi"
    # given options win over what the run recorded
    given = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="th-pei", zones=("fr:commune:34172",),
                           granularity="fr:commune")  # fmt: skip
    again = publish_outputs(out, client, given)
    ds = server_dataset(udata, again.dataset_id)
    assert ds["spatial"]["zones"] == ["fr:commune:34172"] and ds["spatial"]["granularity"] == "fr:commune"
    # one commune covered: it names the dataset (a département's products per commune must not all read alike)
    title = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["title"]
    assert title and ds["title"] == f"{title} — Montpellier"


def test_zones_unknown_to_the_instance_are_left_out_with_a_warning(udata, client, tmp_path, shared_data):
    out = tmp_path / "hiking"
    convert_theme(shared_data / HIKING, out, "hiking")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["source"]["zones"] = ["fr:departement:48", "fr:departement:07"]  # Ardèche is not seeded
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = publish_outputs(out, client, PublishOptions(organization=udata.info["ORG_ID"], dataset_key="th-zones"))
    assert server_dataset(udata, result.dataset_id)["spatial"]["zones"] == ["fr:departement:48"]
    assert any("fr:departement:07" in w and "left out" in w for w in result.warnings)

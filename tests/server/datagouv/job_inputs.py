"""The inputs of the two-dataset job that ``odl-geo run`` and ``odl-geo monitor`` tests publish: the Montpellier
fountains with their mapping file, the Cévennes trails, and a credentials file for GeoServer, data.gouv.fr and
PostGIS (0600, as the job loader requires). Each test writes its own ``job.toml`` next to them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def write_job_inputs(root: Path, shared_data: Path, *, geoserver_password: str, udata: Any, pg_cluster: Any) -> Path:
    """Copy the sources into ``root`` and write ``root/credentials.toml``; returns the credentials file."""
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", root)
    shutil.copy(REPO / "examples/water/fontaines.toml", root)
    shutil.copy(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", root / "sentiers.json")
    credentials = root / "credentials.toml"
    credentials.write_text(
        f'[geoserver]\nusername = "admin"\npassword = "{geoserver_password}"\n'
        f'[datagouv]\napi_key = "{udata.info["API_KEY"]}"\n'
        f'[postgis]\nusername = "postgres"\npassword = "{pg_cluster.password}"\n',
        encoding="utf-8",
    )
    credentials.chmod(0o600)
    return credentials

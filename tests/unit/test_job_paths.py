"""Job files: option values that are paths are made absolute (relative to the job file), the others never: a theme
``water`` next to a folder ``water/`` stays the theme."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from odl_geo.cli.main import main

REPO = Path(__file__).resolve().parents[2]
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def test_a_theme_named_like_a_folder_beside_the_job_stays_a_theme(tmp_path, shared_data, capsys):
    (tmp_path / "water").mkdir()  # the job sits beside a folder of the theme's name, as examples/demo.toml does
    shutil.copy(shared_data / FOUNTAINS, tmp_path / "water" / "fontaines.csv")
    shutil.copy(REPO / "examples/water/fontaines.toml", tmp_path / "water" / "fontaines.toml")
    job = tmp_path / "job.toml"
    job.write_text('[job]\nname = "paths"\nout = "pub"\n[[dataset]]\nname = "water"\nsource = "water/fontaines.csv"\n'
                   '[dataset.convert]\ntheme = "water"\nmapping = "water/fontaines.toml"\nto = ["gpkg"]\n',
                   encoding="utf-8")  # fmt: skip
    assert main(["run", str(job), "--json"]) == 0, capsys.readouterr()
    [dataset] = json.loads(capsys.readouterr().out)["datasets"]
    assert dataset["outcome"] == "done"
    manifest = json.loads((tmp_path / "pub" / "water" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["theme"] == "water"

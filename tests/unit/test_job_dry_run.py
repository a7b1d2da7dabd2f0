"""``odl-geo run --dry-run`` writes nothing: no output folder, no lock file, no journal (issue #14, item 13)."""

from __future__ import annotations

import fcntl
import json

from odl_geo.cli.main import main

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def _job(tmp_path, src):
    path = tmp_path / "job.toml"
    path.write_text(f'[job]\nname = "t"\nout = "pub"\n[[dataset]]\nname = "f"\nsource = "{src}"\n'
                    '[dataset.convert]\nto = ["geojson"]\n', encoding="utf-8")  # fmt: skip
    return path


def test_a_dry_run_creates_neither_the_output_folder_nor_the_lock(tmp_path, data_copy, capsys):
    job = _job(tmp_path, data_copy(FOUNTAINS))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["run", str(job), "--dry-run", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["datasets"][0]["outcome"] == "planned"
    assert not (tmp_path / "pub").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_dry_run_leaves_an_existing_folder_as_it_was_and_sees_a_running_job(tmp_path, data_copy, capsys, snapshot):
    job = _job(tmp_path, data_copy(FOUNTAINS))
    assert main(["run", str(job)]) == 0  # a real run: folder, lock file, journal, outputs
    capsys.readouterr()
    pub = tmp_path / "pub"
    state = snapshot(pub)
    assert ".odl-geo-job.lock" in " ".join(state)
    assert main(["run", str(job), "--dry-run", "--force"]) == 0
    assert snapshot(pub) == state  # the lock file, the journal and the outputs are untouched
    with (pub / ".odl-geo-job.lock").open("a+") as fh:  # a real run in progress
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["run", str(job), "--dry-run", "--force"]) == 7
    assert "already running" in capsys.readouterr().err

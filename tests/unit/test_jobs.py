"""Job files: one clear message per mistake, before anything runs; a run skipped when nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.jobs import load_job

REPO = Path(__file__).resolve().parents[2]
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def _job(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "job.toml"
    path.write_text('[job]\nname = "test"\nout = "pub"\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[dataset]]\nname = "a"\n[dataset.geoserver]\npassword = "x"\n', r"holds a secret \('password'\)"),
        ('[[dataset]]\nname = "a"\nsorce = "x.csv"\n', r"unknown key 'sorce'.*Did you mean 'source'"),
        (
            (
                '[[dataset]]\nname = "a"\n[dataset.convert]\nto = ["gpkg"]\n'
                '[[dataset]]\nname = "a"\n[dataset.convert]\nto = ["gpkg"]\n'
            ),
            "two datasets are named 'a'",
        ),
        ('[[dataset]]\nname = "../x"\n[dataset.convert]\n', "needs a name"),
        ('[[dataset]]\nname = "a"\n', "has nothing to do"),
        ('[[dataset]]\nname = "a"\n[dataset.convert]\nout = "elsewhere"\n', "which the job sets itself"),
        ("", r"has no \[\[dataset\]\]"),
    ],
)
def test_each_mistake_in_a_job_file_is_one_clear_message(tmp_path, body, message):
    with pytest.raises(InputError, match=message):
        load_job(_job(tmp_path, body))


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_job(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_text("[job\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_job(tmp_path / "bad.toml")


def test_an_option_unknown_to_its_command_fails_before_anything_runs(tmp_path, data_copy, capsys):
    src = data_copy(FOUNTAINS)
    job = _job(tmp_path, f'[[dataset]]\nname = "f"\nsource = "{src}"\n[dataset.convert]\nthem = "water"\n')
    assert main(["run", str(job)]) == 2
    err = capsys.readouterr().err
    assert "has no option 'them'" in err and "Did you mean 'theme'" in err
    assert not (tmp_path / "pub" / "f").exists()  # nothing converted


def test_a_job_converts_then_skips_until_the_source_or_its_options_change(tmp_path, data_copy, capsys):
    src = data_copy(FOUNTAINS)
    mapping = tmp_path / "fontaines.toml"
    mapping.write_bytes((REPO / "examples/water/fontaines.toml").read_bytes())
    job = _job(tmp_path, f'[[dataset]]\nname = "f"\nsource = "{src}"\n[dataset.convert]\ntheme = "water"\n'
                         'mapping = "fontaines.toml"\nto = ["geojson"]\n')  # fmt: skip
    outcomes = []
    for change in (None, None, "mapping", None):
        if change == "mapping":  # a file named by an option is part of the fingerprint
            mapping.write_text(mapping.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert main(["run", str(job), "--json"]) == 0
        outcomes.append(json.loads(capsys.readouterr().out)["datasets"][0]["outcome"])
    assert outcomes == ["done", "unchanged", "done", "unchanged"]
    assert main(["run", str(job), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"][0]["outcome"] == "done"
    journal = [json.loads(line) for line in (tmp_path / "pub" / "journal.jsonl").read_text().splitlines()]
    assert [(e["step"], e["outcome"]) for e in journal] == [
        ("convert", "ok"),
        ("dataset", "unchanged"),
        ("convert", "ok"),
        ("dataset", "unchanged"),
        ("convert", "ok"),
    ]
    assert main(["run", str(job), "--only", "nope"]) == 2
    assert "has no dataset nope" in capsys.readouterr().err

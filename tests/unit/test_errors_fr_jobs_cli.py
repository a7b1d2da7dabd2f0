"""The errors of job files, ``odl-geo run``, ``monitor`` and ``serve`` read in French in a French terminal.

A job file is written by a SIG administrator and run by cron: each of its mistakes must name the file, the table and
the key in French as it does in English (the English stays as it was: scripts and logs search it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from odl_geo.errors import InputError, SourceNotFoundError
from odl_geo.jobs import load_job

if TYPE_CHECKING:
    from pathlib import Path


def _job(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "job.toml"
    path.write_text('[job]\nname = "test"\nout = "pub"\n' + body, encoding="utf-8")
    return path


def _odl(args: list[str], lang: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``odl-geo ARGS`` in a terminal whose locale is ``lang`` (nothing else choosing the language)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "ODL_GEO_LANG"))}
    env["LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "odl_geo.cli.main", *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )


def test_an_unknown_key_of_a_job_file_is_named_in_french_with_its_likely_spelling(tmp_path):
    with pytest.raises(InputError) as caught:
        load_job(_job(tmp_path, '[[dataset]]\nname = "a"\nsorce = "x.csv"\n'))
    exc = caught.value
    assert exc.message == "job.toml [[dataset]] #1 has an unknown key 'sorce'."
    assert exc.message_fr == "job.toml [[dataset]] #1 contient une clé inconnue : 'sorce'."
    assert exc.hint_fr.startswith("Vouliez-vous dire 'source' ? Clés possibles : ")
    assert "convert, csw, datagouv" in exc.hint_fr and exc.hint.startswith("Did you mean 'source'? Allowed: ")


@pytest.mark.parametrize(
    ("body", "english", "french"),
    [
        (
            '[[dataset]]\nname = "a"\n[dataset.geoserver]\npassword = "x"\n',
            "holds a secret ('password'): job files must not.",
            "job.toml [[dataset]] #1 [geoserver] contient un secret ('password') : un fichier de tâche ne doit pas",
        ),
        (
            '[[dataset]]\nname = "a"\n[dataset.convert]\n[[dataset]]\nname = "a"\n[dataset.convert]\n',
            "job.toml: two datasets are named 'a'.",
            "job.toml : deux jeux de données s'appellent 'a'.",
        ),
        (
            '[[dataset]]\nname = "a"\nsource = "x.csv"\n[dataset.geoserver]\nurl = "http://x"\n',
            "has a source but no [dataset.convert].",
            "job.toml [[dataset]] #1 (a) a une source mais pas de [dataset.convert].",
        ),
        ("", "job.toml has no [[dataset]].", "job.toml n'a aucun [[dataset]]."),
    ],
)
def test_each_mistake_of_a_job_file_says_where_in_french(tmp_path, body, english, french):
    with pytest.raises(InputError) as caught:
        load_job(_job(tmp_path, body))
    assert english in caught.value.message
    assert caught.value.message_fr.startswith(french), caught.value.message_fr
    assert caught.value.hint_fr and caught.value.hint_fr != caught.value.hint


def test_a_deadline_of_the_wrong_type_is_refused_in_french(tmp_path):
    path = tmp_path / "job.toml"
    path.write_text('[job]\nname = "t"\ndeadline = "15 min"\n[[dataset]]\nname = "a"\n[dataset.convert]\n', "utf-8")
    with pytest.raises(InputError) as caught:
        load_job(path)
    assert caught.value.message == "job.toml [job] deadline must be a positive number of seconds."
    assert caught.value.message_fr == "job.toml [job] deadline doit être un nombre de secondes positif."


def test_run_of_a_missing_job_file_says_so_in_a_french_terminal_and_in_english_in_cron(tmp_path):
    french = _odl(["run", "absent.toml"], "fr_FR.UTF-8", tmp_path)
    assert french.returncode == 2
    assert french.stderr.startswith("erreur : Le fichier de tâche absent.toml est introuvable."), french.stderr
    assert "Vérifiez le chemin donné à odl-geo run." in french.stderr
    english = _odl(["run", "absent.toml"], "C", tmp_path)
    assert english.returncode == 2
    assert english.stderr.startswith("error: The job file absent.toml does not exist."), english.stderr


def test_a_failed_dataset_is_told_in_french_step_and_summary(tmp_path):
    """The step's own error (the reader's) and the job's verdict, both in French; the journal keeps the English."""
    _job(tmp_path, '[[dataset]]\nname = "f"\nsource = "absent.csv"\n[dataset.convert]\nto = ["gpkg"]\n')
    done = _odl(["run", "job.toml"], "fr_FR.UTF-8", tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("erreur : 1 jeu de données de la tâche 'test' a échoué : f."), done.stderr
    assert "Consultez " in done.stderr and "(et relancez : la publication reprend" in done.stderr
    failed_line = next(line for line in done.stdout.splitlines() if "ÉCHEC" in line)
    assert "absent.csv" in failed_line and "does not exist" not in failed_line, failed_line
    assert done.stdout.splitlines()[0].startswith("échec") and "FAILED" not in done.stdout, done.stdout
    assert "journal : " in done.stdout
    journal = (tmp_path / "pub" / "journal.jsonl").read_text(encoding="utf-8")
    assert "does not exist" in journal  # the journal is for logs: English


def test_an_option_unknown_to_its_command_and_a_bad_command_line_in_french(tmp_path):
    from odl_geo.cli.job_command import step_arguments
    from odl_geo.cli.main import parse_check

    job = load_job(_job(tmp_path, '[[dataset]]\nname = "f"\nsource = "x.csv"\n[dataset.convert]\nthem = "water"\n'))
    ds = job.datasets[0]
    with pytest.raises(InputError) as caught:
        step_arguments(job, ds, ds.steps[0], job.out / "f", False)
    assert caught.value.message == "job.toml [f] [dataset.convert] has no option 'them' (odl-geo convert)."
    assert caught.value.message_fr == "job.toml [f] [dataset.convert] : odl-geo convert n'a pas d'option 'them'."
    assert caught.value.hint_fr.startswith("Vouliez-vous dire 'theme' ? Options : ")
    with pytest.raises(InputError) as caught:
        parse_check(["run"])
    assert caught.value.message == "odl-geo run: the following arguments are required: JOB."
    assert caught.value.message_fr.startswith("odl-geo run : arguments incorrects (")
    assert caught.value.hint_fr == "Consultez l'aide : odl-geo run --help"


def test_a_second_run_of_a_job_is_refused_in_french_naming_the_running_one(tmp_path):
    from odl_geo.jobs.state import JobLocked, job_lock

    with job_lock(tmp_path, "commune"), pytest.raises(JobLocked) as caught, job_lock(tmp_path, "commune"):
        pass  # the second lock is refused while the first is held
    exc = caught.value
    assert exc.message.startswith(f"The job 'commune' is already running (pid {os.getpid()} since ")
    assert exc.message_fr.startswith(f"La tâche 'commune' est déjà en cours (pid {os.getpid()} depuis ")
    assert exc.hint_fr.startswith("Attendez qu'elle se termine ;")


def test_the_monitor_cap_and_serve_paths_in_french(tmp_path):
    from odl_geo.http import RequestsTransport
    from odl_geo.monitor.model import Budget, BudgetExhausted, ProbeHttp
    from odl_geo.serve.run import open_server

    http = ProbeHttp(RequestsTransport(), Budget(max_requests=0))
    with pytest.raises(BudgetExhausted) as caught:
        http.send("GET", "http://127.0.0.1:9/")
    assert caught.value.message == "Not checked: the run reached its cap of 0 requests."
    assert caught.value.message_fr == "Non vérifié : l'exécution a atteint son plafond de 0 requête."  # singular
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceNotFoundError) as served:
        open_server(tmp_path / "notes.txt")
    assert served.value.message_fr == f"{tmp_path / 'notes.txt'} n'est ni un projet QGIS ni un dossier."
    assert served.value.hint_fr == "Indiquez un dossier de sortie d'odl-geo convert ou un fichier .qgs."

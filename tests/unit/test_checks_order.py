"""The checks run, and their fixes apply, in the declared order (``registry.ORDER``), which is the order the
command line has always had, whatever a program imported first."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from odl_geo.checks import registry, runner

REPO = Path(__file__).resolve().parents[2]

_ORDER = """
{first}
from odl_geo.checks import registry
from odl_geo.checks.runner import load_checks
load_checks()
print(",".join(c.run.__module__.rsplit(".", 1)[-1] for c in registry.REGISTRY.values()))
print(",".join(registry.REGISTRY))
"""


def _order(first: str) -> tuple[list[str], list[str]]:
    done = subprocess.run([sys.executable, "-c", _ORDER.format(first=first)], capture_output=True, text=True,
                          check=True, cwd=REPO)  # fmt: skip
    families, codes = done.stdout.strip().splitlines()
    return list(dict.fromkeys(families.split(","))), codes.split(",")


def test_the_declared_order_names_every_family():
    assert sorted(registry.ORDER) == sorted((*runner.FAMILIES, *runner.OPTIONAL_FAMILIES))


@pytest.mark.parametrize(
    "first",
    [
        "",
        "import odl_geo.checks.duplicates",
        "import odl_geo.checks.text, odl_geo.checks.dates",
        "import odl_geo.theme.stream",  # the command line's theme run imports names first
        "import odl_geo.profiles.flood",  # the flood profile imports the flood family with it
    ],
)
def test_registry_order_does_not_depend_on_what_was_imported_first(first):
    families, codes = _order(first)
    assert families == list(registry.ORDER)
    assert codes[:2] == ["LAYER_NAME_NOT_XML_SAFE", "FIELD_NAME_NOT_XML_SAFE"]
    assert codes.index("PPR_MICRO_SURFACE") < codes.index("GEOM_NOT_VALID") < codes.index("TEXT_ENCODING_DAMAGED")
    assert len(codes) == len(set(codes)) > 20


def test_a_check_of_another_module_comes_after_the_families(monkeypatch):
    from odl_geo.checks.registry import Check, Level, register
    from odl_geo.report import Severity

    monkeypatch.setattr(registry, "REGISTRY", dict(registry.REGISTRY))
    runner.load_checks()
    before = list(registry.REGISTRY)
    register(Check("MY_CHECK", Severity.INFO, Level.LAYER, {"fr": "x", "en": "x"}, {"fr": "", "en": ""},
                   run=lambda ctx: []))  # fmt: skip
    assert list(registry.REGISTRY) == [*before, "MY_CHECK"]


_RUN = """
{first}
import sys
from odl_geo.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _pei_report(tmp_path: Path, first: str) -> dict:
    """report.json of ``convert --theme pei --fix`` of the bundled PEI sample (fixes apply, duplicates found)."""
    src = tmp_path / "pei.csv"
    if not src.exists():
        shutil.copy(REPO / "tests" / "data" / "pei" / "pei_generated_occitanie.csv", src)
    out = tmp_path / ("out-first" if first else "out-cli")
    args = ["convert", str(src), "--theme", "pei", "--source-crs", "EPSG:2154", "--area", "occitanie", "--fix",
            "--drop-invalid", "--to", "gpkg", "--out", str(out)]  # fmt: skip
    done = subprocess.run([sys.executable, "-c", _RUN.format(first=first), *args], check=False, cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _without_times(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not any(t in k for t in ("time", "generated"))}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_a_run_after_importing_duplicates_first_reports_as_the_command_line(tmp_path):
    cli = _pei_report(tmp_path, "")
    first = _pei_report(tmp_path, "import odl_geo.checks.duplicates")
    assert _without_times(first) == _without_times(cli)
    [layer] = cli["layers"]
    assert layer["checks_run"][0] == "LAYER_NAME_NOT_XML_SAFE"  # names first, as the command line always had
    assert layer["checks_run"].index("GEOM_NOT_VALID") < layer["checks_run"].index("DUPLICATE_FEATURE")
    codes = [i["code"] for i in cli["issues"]]
    assert layer["fixes"] and codes.index("COORDS_OUTSIDE_FRANCE") < codes.index("DUPLICATE_ID")  # order at stake

"""frictionless' plugins found without walking sys.path (odl_geo.profiles.frictionless_plugins): the very plugins,
in the very order, frictionless' own discovery finds, and the same findings on a real table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest
from frictionless.system import System

from odl_geo.profiles.frictionless_plugins import prime_plugins, third_party_candidates

DATA = Path(__file__).resolve().parents[1] / "data"


def _described(system: System) -> list[tuple[str, type]]:
    return [(name, type(plugin)) for name, plugin in system.plugins.items()]


def test_primed_plugins_are_frictionless_own_in_its_order():
    primed, own = System(), System()
    assert prime_plugins(primed) is True
    assert "plugins" in vars(primed)  # set here, not found by walking sys.path
    assert _described(primed) == _described(own)
    assert [n for n, _ in _described(primed)][:3] == ["aws", "buffer", "local"]  # schemes, formats, portals
    # the hooks frictionless calls, plugin by plugin, are then the same too
    assert {k: list(v) for k, v in primed.methods.items()} == {k: list(v) for k, v in own.methods.items()}
    assert prime_plugins(primed) is False  # found already: left alone


def test_registered_plugins_come_first_as_in_frictionless():
    class Extra(frictionless.Plugin):
        pass

    primed, own = System(), System()
    primed.register("extra", Extra())
    own.register("extra", Extra())
    assert prime_plugins(primed) is True
    assert _described(primed) == _described(own)
    assert _described(primed)[0] == ("extra", Extra)
    primed.deregister("extra")  # frictionless drops the cached plugins and finds them its own way again
    assert "extra" not in primed.plugins


def test_a_third_party_plugin_on_the_path_is_left_to_frictionless(tmp_path, monkeypatch):
    (tmp_path / "frictionless_odltest.py").write_text(
        "import frictionless\n\nclass OdltestPlugin(frictionless.Plugin):\n    pass\n", encoding="utf-8"
    )
    assert third_party_candidates() is False  # this machine's sys.path: no frictionless_* anywhere
    monkeypatch.syspath_prepend(str(tmp_path))
    assert third_party_candidates() is True
    system = System()
    assert prime_plugins(system) is False
    assert "odltest" in system.plugins  # frictionless found it, walking sys.path as always
    assert third_party_candidates([str(tmp_path / "missing"), str(tmp_path / "frictionless_odltest.py")]) is False


_FINDINGS = """
import json, sys
from pathlib import Path
if sys.argv[1] == "walked":
    import frictionless
    frictionless.system.plugins  # frictionless' own discovery, before odl-geo can prime it
from odl_geo.profiles import products
from odl_geo.profiles.schemas import load_schema
errors = products.validate_table(Path(sys.argv[2]), load_schema("point-eau-incendie.schema.json"))
import frictionless
print(json.dumps({"errors": errors, "primed": "plugins" in vars(frictionless.system)}))
"""


@pytest.mark.parametrize("sample", ["pei/pei_generated_occitanie.csv"])
def test_same_findings_with_primed_plugins(sample, tmp_path):
    """A real PEI table with faults: frictionless' findings are the same whichever way its plugins were found."""
    path = tmp_path / "pei.csv"
    path.write_bytes((DATA / sample).read_bytes())  # the sample copied: the run reads it in its own folder
    out = {}
    for how in ("walked", "primed"):
        proc = subprocess.run(
            [sys.executable, "-c", _FINDINGS, how, str(path)], capture_output=True, text=True, check=True, cwd=tmp_path
        )
        out[how] = json.loads(proc.stdout)
    assert out["primed"]["errors"], "the sample must have findings for the comparison to say something"
    assert out["primed"]["errors"] == out["walked"]["errors"]


def test_prepare_validation_imports_frictionless_only_for_a_csv_product():
    """What the pass's child pays before its first chunk: frictionless and its plugins for water and PEI (a CSV
    product), nothing for hiking (jsonschema)."""
    code = (
        "import sys\n"
        "from odl_geo.profiles.registry import load_profile\n"
        "from odl_geo.profiles.validation import prepare_validation\n"
        "prepare_validation(load_profile('hiking'))\n"
        "hiking = 'frictionless' in sys.modules\n"
        "prepare_validation(load_profile('pei'))\n"
        "import frictionless\n"
        "print(hiking, 'plugins' in vars(frictionless.system), 'jsonschema' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "True", "True"]

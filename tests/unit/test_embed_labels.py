"""web/src/labels.json (the field labels of <odl-map>'s feature-info popup) is in sync with the theme profiles."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("make_embed_labels", REPO / "scripts" / "make_embed_labels.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels_json_is_up_to_date():
    script = _script()
    assert script.main(["--check"]) == 0, "run: .venv/bin/python scripts/make_embed_labels.py"


def test_every_profile_field_has_a_short_french_and_english_label():
    from odl_geo.profiles.registry import load_profile, theme_keys

    labels = json.loads((REPO / "web" / "src" / "labels.json").read_text(encoding="utf-8"))
    fields = {f.name for theme in theme_keys() for role in load_profile(theme).roles for f in role.fields}
    assert fields == set(labels)
    for name, label in labels.items():
        assert set(label) == {"fr", "en"}, name
        assert 0 < len(label["fr"]) <= 60 and 0 < len(label["en"]) <= 60, (name, label)
    assert labels["nom"] == {"fr": "Nom", "en": "Name"}
    assert labels["insee"]["fr"] == "Code INSEE"

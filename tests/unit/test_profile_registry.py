"""The theme registry: lazy loading, unknown themes, a declared theme whose module is missing."""

from __future__ import annotations

import importlib.util

import pytest

from odl_geo.errors import InputError
from odl_geo.profiles import registry
from odl_geo.profiles.base import Profile
from odl_geo.profiles.registry import PROFILES, load_profile


def test_the_four_themes_are_declared():
    assert set(PROFILES) == {"hiking", "water", "pei", "flood"}
    assert PROFILES["flood"] == "odl_geo.profiles.flood:FloodProfile"


@pytest.mark.parametrize("key", ["hiking", "water", "pei", "randonnee", "HIKING"])
def test_load_profile(key):
    profile = load_profile(key)
    assert isinstance(profile, Profile)
    assert profile.key in ("hiking", "water", "pei")


def test_unknown_theme_lists_the_themes():
    with pytest.raises(InputError, match=r"Unknown theme 'roads'") as info:
        load_profile("roads")
    assert info.value.hint == "Themes: hiking, water, pei, flood."


def test_flood_loads_when_its_module_exists_else_a_clear_error(monkeypatch):
    if importlib.util.find_spec("odl_geo.profiles.flood") is not None:
        assert load_profile("flood").key == "flood"
    monkeypatch.setitem(registry.PROFILES, "flood", "odl_geo.profiles.flood_not_written:FloodProfile")
    with pytest.raises(InputError, match=r"theme 'flood' is declared but its profile .* is not available"):
        load_profile("flood")


def test_a_broken_dependency_inside_a_profile_is_not_hidden(monkeypatch, tmp_path):
    """Only the profile module itself being absent is an InputError; a missing import inside it is a bug."""
    pkg = tmp_path / "odl_broken_profile.py"
    pkg.write_text("import a_module_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry.PROFILES, "water", "odl_broken_profile:X")
    with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist"):
        load_profile("water")


def test_multi_layer_themes_are_the_profiles_built_from_several_layers():
    from odl_geo.profiles.registry import MULTI_LAYER_THEMES, PROFILES, load_profile

    several = {key for key in PROFILES if sum(1 for r in load_profile(key).roles if r.layer_hints) > 1}
    assert several == MULTI_LAYER_THEMES == {"flood"}

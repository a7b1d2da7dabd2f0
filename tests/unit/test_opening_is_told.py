"""The first thing a run tells is the source it opens: GDAL reads a large CSV through before the first layer's
progress (~13 s at 5M rows), and the plugin's log and ``--progress-json`` would otherwise say nothing meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from odl_geo.conversion import convert
from odl_geo.feedback import NullFeedback
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme.run import check_theme

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


class _Told(NullFeedback):
    def __init__(self) -> None:
        self.said: list[str] = []

    def info(self, text: str) -> None:
        self.said.append(text)

    def progress(self, percent: float, text: str = "") -> None:
        self.said.append(f"progress {percent:.0f}")


@pytest.mark.parametrize("how", ["plain", "theme", "check"])
def test_opening_the_source_is_told_first(data_copy, tmp_path, how):
    src = data_copy(FOUNTAINS)
    told = _Told()
    mapping = Path(__file__).parents[2] / "examples" / "water" / "fontaines.toml"
    if how == "plain":
        convert(src, tmp_path / "out", ["csv"], feedback=told)
    elif how == "theme":
        convert_theme(src, tmp_path / "out", "water", ThemeOptions(mapping=mapping), ["csv"], feedback=told)
    else:
        check_theme(src, "water", ThemeOptions(mapping=mapping), feedback=told)
    assert told.said[0] == "Opening VilleMTP_MTP_Fontaines.csv", told.said[:3]
    assert len(told.said) > 1  # and the run's own steps after it

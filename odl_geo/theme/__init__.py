"""Theme runs: ``odl-geo check`` and ``odl-geo convert --theme`` (conform, anonymise, check, fix, validate, write)."""

from .outputs import convert_theme, write_corrected, write_reports
from .run import LayerResult, ThemeOptions, ThemeRun, check_theme

__all__ = [
    "LayerResult",
    "ThemeOptions",
    "ThemeRun",
    "check_theme",
    "convert_theme",
    "write_corrected",
    "write_reports",
]

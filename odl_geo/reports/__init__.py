"""Reports a person reads: the self-contained HTML page with map previews (the JSON is ``ThemeRun.to_dict``)."""

from .html import render_html
from .preview import HAS_MATPLOTLIB, preview_png

__all__ = ["HAS_MATPLOTLIB", "preview_png", "render_html"]

"""File names that every system accepts, made from layer and source names.

At the base because readers (a zip member extracted under a safe name), writers and theme products must agree on
the same stem for the same layer: the manifest and the publishers find files by it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_file_stem"]


def safe_file_stem(name: str) -> str:
    """A file name stem that every OS, zip tool and web server accepts (accents folded, no spaces)."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    flat = re.sub(r"[^A-Za-z0-9._-]+", "_", flat).strip("._")
    return flat or "layer"

"""Readers: open any layer a SIG administrator has (see :func:`open_source`)."""

from .layer import LayerSource, ReadOptions, Source
from .opener import open_source

__all__ = ["LayerSource", "ReadOptions", "Source", "open_source"]

"""Import GDAL's bindings without pandas for a process that only streams Arrow batches (a plain conversion).

pyogrio imports pandas and geopandas at import time, only to learn whether they are installed (its
``_compat`` module reads ``pandas.__version__``), and pyarrow imports pandas the first time it builds an array
from numpy (to recognise pandas objects), though a plain conversion never touches a DataFrame. In a plain
``odl-geo convert`` that cost about 28 MB of peak memory (issue 16's bar is 300 MB for 5M points) and 0.2 s.

:func:`import_pyogrio_lean` imports pyogrio, and lets pyarrow look for pandas once, while pandas and geopandas
cannot be found; then they can be imported again, so an ``import pandas`` later in the process works as usual.
Only pyogrio's DataFrame functions (``read_dataframe``, ``write_dataframe``) and pyarrow's ``to_pandas`` then
refuse to run in that process, saying pandas or geopandas is missing: call it only where the process does nothing
else than a plain conversion (the ``convert`` command without ``--theme``), never from the library, the plugin or
a theme run.
"""

from __future__ import annotations

import contextlib
import sys
from importlib.abc import MetaPathFinder
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

__all__ = ["import_pyogrio_lean"]

_HIDDEN = ("pandas", "geopandas")


class _Hide(MetaPathFinder):
    """Makes ``import pandas`` / ``import geopandas`` fail as if they were not installed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in _HIDDEN:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def import_pyogrio_lean() -> bool:
    """Import pyogrio (and settle pyarrow's pandas lookup) without pandas or geopandas; returns False, doing
    nothing, when pyogrio or one of them is already imported in this process."""
    if any(name in sys.modules for name in ("pyogrio", *_HIDDEN)):
        return False
    finder = _Hide()
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow
        import pyogrio  # noqa: F401

        # pyarrow tries to import pandas once, the first time it needs to know (its Python shim; its C++
        # conversion to numpy), and remembers the answer
        shim = getattr(pyarrow.lib, "_pandas_api", None)
        with contextlib.suppress(Exception):
            _ = shim.have_pandas  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            pyarrow.array([True, None]).is_null().to_numpy(zero_copy_only=False)
    finally:
        sys.meta_path.remove(finder)
    return True

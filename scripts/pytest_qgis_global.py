"""Run pytest with QGIS loaded the way the QGIS executable loads it: into the global symbol scope.

Python loads extension modules with RTLD_LOCAL, which hides a real problem: in QGIS (desktop or qgis_process)
QGIS's GDAL and PROJ are global, so GDAL/PROJ wheels imported by a plugin bind to them and crash QGIS at exit.
The QGIS test stage runs under this wrapper so that such an import fails the tests instead of the users.
"""

import os
import sys

sys.path[0] = os.getcwd()  # like `python -m pytest`: the repository root, not scripts/, is importable
sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
import pytest  # noqa: E402
import qgis.core  # noqa: E402,F401 - loads libqgis_core, libgdal, libproj globally first

sys.exit(pytest.main(sys.argv[1:]))

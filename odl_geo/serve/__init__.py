"""The embedded map server: QGIS Server (``qgis_mapserver``) serving an output folder as WMS and WFS.

``project.py`` writes the ``.qgs`` (XML, no QGIS import), ``styles.py`` picks the theme's QML or a default,
``server.py`` runs the server as a subprocess, ``run.py`` offers the calls: :func:`open_server` (context
manager), :func:`run_server` (bounded time or until Ctrl-C) and :func:`snapshot` (check + one PNG, for demos).
"""

from .project import PROJECT_NAME, ProjectBuild, ProjectLayer, build_project
from .run import SnapshotResult, capabilities_layers, get_map, open_server, run_server, snapshot
from .server import QgisServer

__all__ = [
    "PROJECT_NAME",
    "ProjectBuild",
    "ProjectLayer",
    "QgisServer",
    "SnapshotResult",
    "build_project",
    "capabilities_layers",
    "get_map",
    "open_server",
    "run_server",
    "snapshot",
]

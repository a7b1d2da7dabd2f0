"""The embedded map server: QGIS Server (``qgis_mapserver``) serving output folders as WMS and WFS.

``project.py`` writes the ``.qgs`` (XML, no QGIS import), ``styles.py`` picks the theme's QML or a default,
``server.py`` runs the server as a subprocess, ``front.py`` is the CORS front browsers talk to, ``run.py`` offers
the calls: :func:`open_server` (context manager), :func:`run_server` (bounded time or until Ctrl-C) and
:func:`snapshot` (check + one PNG, for demos).
"""

from .front import Front
from .project import PROJECT_NAME, ProjectBuild, ProjectLayer, build_project, build_projects, output_folders
from .run import SnapshotResult, capabilities_layers, get_map, open_server, run_server, snapshot
from .server import QgisServer

__all__ = [
    "PROJECT_NAME",
    "Front",
    "ProjectBuild",
    "ProjectLayer",
    "QgisServer",
    "SnapshotResult",
    "build_project",
    "build_projects",
    "capabilities_layers",
    "get_map",
    "open_server",
    "output_folders",
    "run_server",
    "snapshot",
]

""""Copy the embed code": after a publication, the snippet for the commune's website on the clipboard.

The snippet is built by the library (``odl-geo embed`` in the worker process, like every odl-geo call that reads
GeoPackages, see ``worker.py``) from the publication's folder and the targets it went to: the GeoServer workspace's
WMS for the map, the data.gouv.fr organisation for the catalogue. A short read, so a ``QgsTask.fromFunction``;
the clipboard and the widgets are touched in its ``on_finished``, on the main thread. The files to host with the
page (``odl-embed/``), ``index.html`` and ``LISEZMOI.txt`` go to ``site/`` beside the publication's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsTask
from qgis.PyQt.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from ..toolbelt.i18n import language, tr
from ..toolbelt.messages import error_text
from ..worker import OdlGeoWorker

if TYPE_CHECKING:
    from .wdg_targets import TargetsWidget

__all__ = ["EmbedCopy", "embed_args"]


def embed_args(folder: str, out_dir: str, targets: TargetsWidget | None) -> list[str]:
    """``odl-geo embed`` arguments for a publication of ``folder`` to the checked ``targets``."""
    args = ["embed", out_dir, "--from", folder, "--lang", "fr" if language() == "fr" else "en"]
    if targets is not None and targets.gs.isChecked() and targets.gs_url.text() and targets.gs_workspace.text():
        base = targets.gs_url.text().strip().rstrip("/").removesuffix("/rest").removesuffix("/web")
        args += ["--server", f"{base}/{targets.gs_workspace.text().strip()}/wms", "--server-type", "geoserver"]
    if targets is not None and targets.dg.isChecked() and targets.dg_org.text().strip():
        args += ["--org", targets.dg_org.text().strip()]
        if targets.dg_url.text().strip():
            args += ["--datagouv", targets.dg_url.text().strip()]
    return args


class EmbedCopy:
    """The button, disabled until :meth:`ready` is told what was published."""

    def __init__(self, parent: QWidget, status: QLabel) -> None:
        self.button = QPushButton(tr("Copy the embed code"), parent)
        self.button.setToolTip(tr("The code to paste into the commune's website: live map and data catalogue"))
        self.button.setEnabled(False)
        self.button.clicked.connect(self.copy)
        self.status = status
        self.args: list[str] = []
        self.snippet = ""
        self.task: QgsTask | None = None
        self.site = ""

    def ready(self, folder: str, targets: TargetsWidget | None) -> None:
        """A publication of ``folder`` went through: the button can build its snippet."""
        self.site = str(Path(folder).parent / "site")
        self.args = embed_args(folder, self.site, targets)
        self.button.setEnabled(True)

    def copy(self) -> None:
        if not self.args or self.task is not None:
            return
        self.button.setEnabled(False)
        self.status.setText(tr("Building the embed code…"))
        args = list(self.args)

        def run(task: QgsTask) -> dict[str, Any]:
            return OdlGeoWorker().run(args)

        self.task = QgsTask.fromFunction(tr("Embed code"), run, on_finished=self._finished)
        QgsApplication.taskManager().addTask(self.task)

    def _finished(self, exception: BaseException | None, result: dict[str, Any] | None = None) -> None:
        self.task = None
        self.button.setEnabled(True)
        if exception is not None or not result:
            said = error_text(exception) if exception is not None else tr("no answer")  # French in a French QGIS
            text = tr("The embed code could not be built: {0}").format(said)
            self.status.setText(text)
            QgsMessageLog.logMessage(text, "odl-geo", Qgis.Warning)
            return
        self.snippet = str(result["snippet"])
        QApplication.clipboard().setText(self.snippet)
        key = "message_fr" if language() == "fr" else "message"
        notes = [str(n.get(key) or n.get("message")) for n in result.get("found", {}).get("notes", [])]
        done = tr("Embed code copied: paste it into the commune's web page; the files to host with it and the "
                  "webmaster's notes (LISEZMOI.txt) are in {0}.").format(self.site)
        self.status.setText(" ".join([done, *notes]))
        QgsMessageLog.logMessage(self.snippet, "odl-geo", Qgis.Info)

"""The publish dialog's runs: its steps as Processing tasks one after the other, one progress per step, the
outcome said (with links, the published WMS layer added to the map) and the quality report's rows shown on the map.

A mixin of :class:`~.dlg_publish.DlgPublish` (split out to keep each module small): it uses the dialog's widgets
(``progress``, ``status``, ``table``, ``model``, ``targets``, ``embed``...).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeatureRequest,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtWidgets import QHeaderView

from odl_geo.numbers import fill

from ..toolbelt.i18n import count_language, counted, tr
from .publication_names import slug
from .results import add_wms_layer, links_html, result_links

__all__ = [
    "TAB_MAPPING",
    "TAB_PERSONAL",
    "TAB_REPORT",
    "TAB_TARGETS",
    "PublishRunner",
    "step_summary",
]

TAB_MAPPING, TAB_PERSONAL, TAB_TARGETS, TAB_REPORT = range(4)


def step_summary(alg_id: str, results: dict[str, Any]) -> str:
    """One translated sentence of what a publication step did, from its Processing outputs."""
    r = results
    if alg_id == "odl_geo:convert":
        return tr("Files written in {0}.").format(r.get("OUTPUT", ""))
    if alg_id == "odl_geo:publish_geoserver":
        # three counts, and French agrees with each of them: the translation says which words agree with which
        # count ({changed:créé|créés}), odl_geo.numbers.fill writes them
        counts = {"changed": int(r.get("CHANGED", 0)), "unchanged": int(r.get("UNCHANGED", 0)),
                  "verified": int(r.get("VERIFIED", 0))}  # fmt: skip
        text = tr("GeoServer: {changed} created or updated, {unchanged} unchanged, "
                  "{verified} {verified:layer|layers} checked through WMS/WFS.")  # fmt: skip
        return fill(text, counts, count_language())
    if alg_id == "odl_geo:publish_postgis":
        return counted(int(r.get("TABLES", 0)), tr("PostGIS: {0} table published."),
                       tr("PostGIS: {0} tables published."))  # fmt: skip
    if alg_id == "odl_geo:publish_csw":
        return tr("CSW catalogue: record {0} {1}.").format(r.get("IDENTIFIER", ""), r.get("OUTCOME", ""))
    if alg_id == "odl_geo:publish_datagouv":
        return tr("data.gouv.fr: {0} ({1} bytes sent).").format(
            r.get("PAGE") or r.get("DATASET_ID"), int(r.get("BYTES", 0))
        )
    return alg_id


class PublishRunner:
    """The run machinery of the publish dialog (see the module's docstring)."""

    _running: tuple[Any, ...] | None
    _queue: list[tuple[str, dict[str, Any]]]

    def _start(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        self._queue = list(steps)
        self.messages = list(self.style_warnings) if steps and steps[0][0] == "odl_geo:convert" else []
        self.summaries = []
        self.results: dict[str, dict[str, Any]] = {}
        self._total = len(steps)
        self._set_busy(True)
        self._next()

    def _next(self) -> None:
        if not self._queue:
            self._set_busy(False)
            return
        alg_id, params = self._queue.pop(0)
        alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = QgsProcessingFeedback()
        task = QgsProcessingAlgRunnerTask(alg, {k: v for k, v in params.items() if v is not None}, context, feedback)
        task.executed.connect(lambda ok, results: self._done(alg_id, ok, results, feedback))
        task.progressChanged.connect(self._progress)
        self._running = (task, context, feedback, alg)  # keep them alive while the task runs
        self._step = alg.displayName()
        # one progress per step, from 0: "Étape 2/4 : Publier sur GeoServer — 40 %"
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        index = self._total - len(self._queue)
        self.progress.setFormat(tr("Step {0}/{1}: {2}").format(index, self._total, self._step) + " — %p %")
        self._say(tr("Running: ") + self._step)
        QgsApplication.taskManager().addTask(task)

    def _progress(self, percent: float) -> None:
        """The running step's progress; at 100 % while the step still works (the worker read the layer and now
        checks it, with no measure), the bar turns "busy" rather than stay full."""
        if self._running is None:
            return
        if percent >= 100:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(percent))

    def _done(self, alg_id: str, ok: bool, results: dict[str, Any], feedback: QgsProcessingFeedback) -> None:
        log = feedback.textLog() if hasattr(feedback, "textLog") else ""
        self.results[alg_id] = dict(results or {})
        if not ok:
            self._queue.clear()
            if feedback.isCanceled():
                text = tr("Cancelled: {0}. The steps done before it stay done.").format(self._step)
                level = Qgis.Warning
            else:
                text = tr("Failed: ") + (log.strip().splitlines() or [""])[-1]
                level = Qgis.Critical
            self._say(text)
            self._tell(text, level, log)
            self.messages.append(log)
            self._set_busy(False)
            return
        if alg_id == "odl_geo:check":
            report = Path(results["OUTPUT"]) / "report.json"
            data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
            self.model.set_issues(data.get("issues", []))
            self.table.resizeColumnsToContents()
            self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
            self.tabs.setCurrentIndex(TAB_REPORT)
            self.checked_ok = results["ERRORS"] == 0
            self.completed = True
            self.btn_publish.setEnabled(self.checked_ok)
            self._say(
                tr("Errors: {0}, warnings: {1}. ").format(results["ERRORS"], results["WARNINGS"])
                + (tr("Ready to publish.") if self.checked_ok else tr("Fix the errors first."))
            )
        else:
            self.summaries.append(step_summary(alg_id, results))
            self.messages.append(self.summaries[-1])
            if self._queue:
                self._say(tr("Done: ") + self._step)
            else:  # the whole publication went through
                self._finished()
        self._next()

    def _finished(self) -> None:
        """The whole publication went through: say it, with links, and show the published layer on the map."""
        names = ", ".join(lyr.name() for lyr in self.chosen_layers())
        if getattr(self, "dry_run", False):
            text = tr("Dry run of {0}: nothing was sent. What would be sent is in the odl-geo log.").format(names)
        else:
            text = tr("Published: {0}.").format(names)
            self.embed.ready(self._publication, self.targets)
            self._add_wms()
        self.completed = True
        links = result_links(self.results, self.out_dir.filePath(), self._publication)
        plain = " ".join([text, *self.summaries, *self.style_warnings])
        self.status.setText(html.escape(plain, quote=False) + "<br>" + links_html(links))
        self._tell(" ".join([text, *self.summaries]), Qgis.Success, "\n".join([*self.style_warnings, *self.messages]))

    def _add_wms(self) -> None:
        published = str(self.results.get("odl_geo:publish_geoserver", {}).get("LAYERS") or "")
        t = self.targets
        for name in filter(None, published.split(",")):
            layer = add_wms_layer(t.gs_url.text(), t.gs_workspace.text(), name, t.gs_title.text(), t.gs_auth.configId())
            if layer is None:
                QgsMessageLog.logMessage(tr("QGIS could not open the published WMS layer {0}.").format(name),
                                         "odl-geo", Qgis.Warning)  # fmt: skip
            else:
                self.wms_layers.append(layer.id())

    def show_issue_features(self, row: int) -> list[int]:
        """Select, in the chosen layer, the features a report row gives as examples (0-based positions in source
        order, as odl-geo read them) and zoom the map to them; returns the QGIS feature ids selected."""
        issue = self.model.rows[row] if 0 <= row < len(self.model.rows) else {}
        positions = {int(i) for i in issue.get("examples") or []}
        layers = self.chosen_layers()
        layer = next((lyr for lyr in layers if issue.get("layer") in (lyr.name(), slug(lyr.name()))), None)
        layer = layer or (layers[0] if len(layers) == 1 else None)
        if layer is None or not positions:
            self._say(tr("This row names no feature to show."))
            return []
        request = QgsFeatureRequest().setNoAttributes().setFlags(QgsFeatureRequest.NoGeometry)
        ids: list[int] = []
        for n, feature in enumerate(layer.getFeatures(request)):
            if n in positions:
                ids.append(feature.id())
            if n >= max(positions):
                break
        layer.selectByIds(ids)
        from qgis.utils import iface

        if iface is not None and ids:
            iface.mapCanvas().zoomToSelected(layer)
        self._say(counted(len(ids), tr("{0} feature selected in {1}."), tr("{0} features selected in {1}."),
                          layer.name()))  # fmt: skip
        return ids

    def _say(self, text: str) -> None:
        """A plain sentence in the status line (rich text since it carries the results' links)."""
        self.status.setText(html.escape(text, quote=False))

    def _tell(self, text: str, level: Qgis.MessageLevel, details: str = "") -> None:
        """What the person must see in QGIS's message bar; the details in the log panel's odl-geo tab."""
        QgsMessageLog.logMessage(text + ("\n" + details if details and details != text else ""), "odl-geo", level)
        from qgis.utils import iface

        if iface is not None:
            iface.messageBar().pushMessage("odl-geo", text, level, 10)

    def _set_busy(self, busy: bool) -> None:
        self.btn_check.setEnabled(not busy)
        self.btn_publish.setEnabled(not busy and self.checked_ok)
        self.btn_cancel.setEnabled(busy)
        if busy:
            self.completed = False
        else:
            self._running = None
            self.progress.setRange(0, 100)
            done = self.completed  # the last run went through (a check, or the whole publication)
            self.progress.setValue(100 if done else 0)
            self.progress.setFormat(tr("Done") if done else tr("Idle"))

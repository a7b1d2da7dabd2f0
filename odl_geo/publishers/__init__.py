"""Publishers: one package per remote service (``endpoints``, ``models``, ``client``, ``publish``).

What publishing did to each thing it handles (a GeoServer resource, a PostGIS table, a data.gouv.fr dataset or
resource) is told with one vocabulary, :class:`Outcome`, shared by every publisher and read by the CLI, job runs
and the QGIS plugin.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome"]


class Outcome(StrEnum):
    """What publishing did to one resource; re-running an unchanged publication gives only UNCHANGED (and
    SKIPPED)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"

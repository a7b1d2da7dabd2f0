"""The ``[dataset.metadata]`` section of the Montpellier fountains that the CSW job tests publish (``odl-geo run``
then ``odl-geo monitor``): what a SIG administrator writes in a job file, once for every test that needs it."""

from __future__ import annotations

FONTAINES_METADATA = """\
[dataset.metadata]
title = "Bornes fontaines de Montpellier"
abstract = "Localisation des bornes fontaines d'eau potable de la ville de Montpellier."
licence = "odbl"
frequency = "monthly"
keywords = ["eau potable", "fontaines"]
inspire_theme = "us"
topic_categories = ["utilitiesCommunication"]
[dataset.metadata.producer]
name = "Ville de Montpellier"
email = "opendata@montpellier.fr"
"""

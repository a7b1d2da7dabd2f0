"""The flood theme: risk prevention plans (COVADIS shapefiles, CNIG GeoPackages) -> CNIG Géostandard PPR.

A package of its own because the standard needs many small parts (template, roles, code lists, COVADIS
translation, validation, GeoPackage builder); ``profile`` ties them into the theme profile.
"""

from .profile import FloodProfile, FloodSettings, PprDataset, load_flood_dataset

__all__ = ["FloodProfile", "FloodSettings", "PprDataset", "load_flood_dataset"]

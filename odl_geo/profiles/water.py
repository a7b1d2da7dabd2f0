"""Water points (fountains, catchments, wells, sampling and gauging stations) -> odl-geo's generic water profile.

There is no national open-data schema for these points, so this profile declares a small one with the usual
fields (identifier, name, kind of point, commune, manager, dates, state) on the same machinery as the national
ones: matching, mapping file, checks, anonymisation. Products: a GeoJSON FeatureCollection (WGS 84) and a CSV with
lon/lat; the CSV is validated by ``frictionless`` against the Table Schema derived from the fields below
(:func:`table_schema`), so the same validator as for PEI decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .base import ProductSink, Profile, RoleSpec, SchemaRef, TargetField, ThemeDataset
from .product_sinks import CsvProduct, GeoJSONProduct, StreamedProducts, write_whole
from .products import csv_rows, lonlat, report_validation
from .validation import check_table_frame, kept_rows_check, streamed_layer, table_layer, validated

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import geopandas as gpd
    import numpy as np

    from ..exports.base import OutputFile
    from ..report import Report
    from .validation import Mask, TableCheck

__all__ = ["WATER_FIELDS", "WaterProfile", "table_schema"]

POINT_TYPES = (
    "fontaine",
    "borne_fontaine",
    "captage",
    "forage",
    "source",
    "puits",
    "station_prelevement",
    "station_hydrometrique",
    "lavoir",
    "abreuvoir",
    "autre",
)

WATER_FIELDS: tuple[TargetField, ...] = (
    TargetField(
        "id_local",
        "string",
        required=True,
        unique=True,
        synonyms=(
            "id",
            "identifiant",
            "dossier",
            "code",
            "code_station",
            "numero",
            "num",
            "gid",
            "objectid",
            "code_bss",
            "code_sandre",
        ),
        description="Identifiant du point chez le producteur",
    ),
    TargetField(
        "nom",
        "string",
        synonyms=("name", "nom_site", "libelle", "denomination", "appellation", "lieu_dit"),
        description="Nom du point ou du lieu",
    ),
    TargetField(
        "type_point",
        "string",
        required=True,
        enum=POINT_TYPES,
        synonyms=("type", "nature", "categorie_point", "type_ouvrage", "typologie"),
        value_synonyms={
            "borne fontaine": "borne_fontaine",
            "bornes fontaines": "borne_fontaine",
            "borne a eau": "borne_fontaine",
            "drinking fountain": "fontaine",
            "fountain": "fontaine",
            "captage aep": "captage",
            "prise d eau": "captage",
            "forage aep": "forage",
            "well": "puits",
            "spring": "source",
            "point de prelevement": "station_prelevement",
            "station de prelevement": "station_prelevement",
            "station qualite": "station_prelevement",
            "station de jaugeage": "station_hydrometrique",
            "station hydrometrique": "station_hydrometrique",
            "gauging station": "station_hydrometrique",
            "echelle limnimetrique": "station_hydrometrique",
        },
        description="Nature du point d'eau",
    ),
    TargetField(
        "nombre",
        "integer",
        synonyms=("nb", "nombre_points", "borne_font", "nb_bornes", "quantite", "count"),
        description="Nombre d'équipements sur le site",
    ),
    TargetField(
        "categorie_site",
        "string",
        synonyms=("categorie", "category", "type_lieu", "type_site", "lieu"),
        description="Type de lieu (parc, square, place...)",
    ),
    TargetField(
        "insee",
        "string",
        synonyms=("code_insee", "insee_com", "codeinsee", "code_commune", "depcom"),
        description="Code INSEE de la commune",
    ),
    TargetField(
        "commune",
        "string",
        synonyms=("nom_commune", "ville", "city", "libelle_commune"),
        description="Nom de la commune",
    ),
    TargetField(
        "gestionnaire",
        "string",
        synonyms=("exploitant", "operator", "maitre_ouvrage", "gestion"),
        description="Organisme gestionnaire",
    ),
    TargetField(
        "potable", "boolean", synonyms=("eau_potable", "drinking_water", "potabilite"), description="Eau potable"
    ),
    TargetField(
        "etat",
        "string",
        enum=("en_service", "hors_service", "abandonne", "inconnu"),
        synonyms=("statut", "state", "status", "etat_ouvrage"),
        value_synonyms={
            "en service": "en_service",
            "actif": "en_service",
            "active": "en_service",
            "hors service": "hors_service",
            "inactif": "hors_service",
            "ferme": "abandonne",
            "rebouche": "abandonne",
        },
        description="État du point",
    ),
    TargetField(
        "date_mes",
        "date",
        synonyms=("date_mise_en_service", "mise_en_service", "date_creation"),
        description="Date de mise en service (AAAA-MM-JJ)",
    ),
    TargetField(
        "date_maj",
        "date",
        synonyms=("date_mise_a_jour", "maj", "date_modification", "updated"),
        description="Date de dernière mise à jour (AAAA-MM-JJ)",
    ),
    TargetField(
        "remarque",
        "string",
        synonyms=("commentaire", "observation", "observations", "remarques", "note"),
        description="Remarque libre",
    ),
    TargetField(
        "proprietaire",
        "string",
        personal=True,
        synonyms=("nom_proprietaire", "owner", "proprio"),
        description="Propriétaire (donnée personnelle si particulier)",
    ),
    TargetField(
        "telephone",
        "string",
        personal=True,
        synonyms=("tel", "phone", "portable", "mobile", "num_tel"),
        description="Téléphone (donnée personnelle)",
    ),
    TargetField(
        "courriel",
        "string",
        personal=True,
        synonyms=("email", "mail", "e_mail", "contact"),
        description="Courriel (donnée personnelle)",
    ),
)

_TABLE_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "date": "date"}


def table_schema() -> dict[str, Any]:
    """The Table Schema of the CSV product, derived from :data:`WATER_FIELDS` plus ``lon``/``lat``."""
    fields: list[dict[str, Any]] = []
    for f in WATER_FIELDS:
        constraints: dict[str, Any] = {"required": f.required}
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.unique:
            constraints["unique"] = True
        field: dict[str, Any] = {"name": f.name, "type": _TABLE_TYPES.get(f.kind, "string"), "constraints": constraints}
        if f.kind == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        fields.append(field)
    fields.append({"name": "lon", "type": "number", "constraints": {"minimum": -180, "maximum": 180}})
    fields.append({"name": "lat", "type": "number", "constraints": {"minimum": -90, "maximum": 90}})
    return {"name": "odl-geo-points-eau", "title": "Points d'eau (profil générique odl-geo)", "fields": fields}


class WaterProfile(Profile):
    key = "water"
    title: ClassVar[dict[str, str]] = {"fr": "Points d'eau", "en": "Water points"}
    schema = SchemaRef("odl-geo/points-eau", "0.1.0")
    target_epsg = 4326
    product_formats = ("geojson", "csv")
    roles = (
        RoleSpec(
            role="main",
            title={"fr": "Points d'eau", "en": "Water points"},
            geometry_family="point",
            fields=WATER_FIELDS,
        ),
    )

    def conform(
        self, dataset: ThemeDataset, mapping: object, report: Report, state: dict[str, Any] | None = None
    ) -> ThemeDataset:
        """Generic conforming; a chunk of a streamed layer gets the layer's validation plan (.validation)."""
        out = super().conform(dataset, mapping, report, state)
        table_layer(out.notes.setdefault("main", {}), state)
        return out

    def table(self, dataset: ThemeDataset) -> tuple[list[str], Iterator[list[str]]]:
        frame = dataset.frames["main"]
        lon, lat = lonlat(frame)
        return csv_rows(frame, list(WATER_FIELDS), {"lon": lon, "lat": lat})

    def validate(self, dataset: ThemeDataset, report: Report) -> None:
        self.validate_table(dataset, report)

    def validate_table(
        self, dataset: ThemeDataset, report: Report, earlier: TableCheck | None = None, keep: Mask | None = None
    ) -> TableCheck | None:
        """:meth:`validate`, kept for ``--drop-invalid`` (:class:`.validation.ValidatesOnce`)."""
        if "main" not in dataset.frames:
            return None
        frame = dataset.frames["main"]
        checked = kept_rows_check(earlier, keep, frame)
        if checked is None:
            lon, lat = lonlat(frame)
            # frictionless decides, on the rows a compiled checker flags and a sample (.validation)
            layer = streamed_layer(dataset)
            checked = check_table_frame(
                frame, list(WATER_FIELDS), table_schema(), {"lon": lon, "lat": lat}, layer=layer
            )
        report_validation(
            checked.errors, "frictionless", "points-eau (odl-geo)", dataset.source_names.get("main", "main"), report
        )
        return validated(dataset, frame, checked)  # (a streamed chunk's CSV product takes its text)

    def write_products(self, dataset: ThemeDataset, out_dir: Path, report: Report) -> list[OutputFile]:
        return write_whole(self.open_products(out_dir, report), dataset)

    def open_products(self, out_dir: Path, report: Report) -> ProductSink:
        """The GeoJSON and the CSV with lon/lat, written chunk by chunk."""
        fields = list(WATER_FIELDS)
        return StreamedProducts(
            out_dir,
            "points-eau",
            "EPSG:4326",
            [GeoJSONProduct(fields, "Point"), CsvProduct(fields, _lonlat_columns, ("lon", "lat"))],
        )


def _lonlat_columns(frame: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    lon, lat = lonlat(frame)
    return {"lon": lon, "lat": lat}

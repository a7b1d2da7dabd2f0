"""Fire-fighting water points (PEI) -> the Table Schema ``point-eau-incendie`` (AFIGEO / Datakode).

The product is one UTF-8 CSV with the schema's columns in order; ``x``/``y`` (Lambert-93, 2 decimals) and
``lon``/``lat`` (WGS 84, 7 decimals) are computed from the geometry, never copied from attributes that may
disagree with it. The CSV is validated by ``frictionless`` against the pinned copy of the schema.
Field names, types, required flags and enumerations come from that copy; this module adds the names SDIS and
water utilities use in their exports, and the usual words for the codes (``poteau`` -> ``PI``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from pyproj import CRS, Transformer

from .base import ProductSink, Profile, RoleSpec, SchemaRef, TargetField, ThemeDataset
from .product_numbers import PRECISION
from .product_sinks import CsvProduct, StreamedProducts, write_whole
from .products import csv_rows, lonlat, report_validation
from .schemas import load_schema
from .validation import check_table_frame, kept_rows_check, streamed_layer, table_layer, validated

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import geopandas as gpd

    from ..exports.base import OutputFile
    from ..report import Report
    from .validation import Mask, TableCheck

__all__ = ["COORDINATE_FIELDS", "PeiProfile", "pei_fields"]

SCHEMA_FILE = "point-eau-incendie.schema.json"
COORDINATE_FIELDS = ("x", "y", "lon", "lat")  # computed from the geometry

SYNONYMS: dict[str, tuple[str, ...]] = {
    "insee": ("code_insee", "insee_com", "codeinsee", "code_commune", "depcom", "inseecom", "cod_insee"),
    "id_sdis": ("numero_sdis", "num_sdis", "id_pei", "identifiant", "numero", "num_pei", "code_pei"),
    "id_gestion": ("id_gestionnaire", "ref_gestion", "num_gestion"),
    "nom_gest": ("gestionnaire", "nom_gestionnaire", "exploitant", "distributeur"),
    "ref_terr": ("reference", "ref_terrain", "numero_terrain", "plaque"),
    "type_pei": ("type", "nature", "type_point", "typepei"),
    "type_rd": ("type_local", "type_reglement", "type_rddeci", "sous_type", "modele"),
    "diam_pei": ("diametre", "diam", "dn", "diametre_pei"),
    "diam_cana": ("diametre_canalisation", "dn_canalisation", "diam_canalisation"),
    "source_pei": ("source", "ressource", "origine_eau", "alimentation"),
    "statut": ("domanialite", "public_prive", "propriete"),
    "nom_etab": ("etablissement", "proprietaire", "nom_proprietaire"),
    "situation": ("adresse", "localisation", "emplacement", "lieu", "voie"),
    "press_dyn": ("pression_dynamique", "pdyn", "pression_dyn"),
    "press_stat": ("pression_statique", "pstat", "pression_stat"),
    "debit": ("debit_1bar", "debit_m3h", "debit_nominal"),
    "volume": ("capacite", "volume_m3", "contenance"),
    "disponible": ("dispo", "disponibilite", "etat", "operationnel"),
    "date_dispo": ("date_disponibilite", "date_etat"),
    "date_mes": ("date_mise_en_service", "mise_en_service", "date_service", "date_pose"),
    "date_maj": ("date_mise_a_jour", "maj", "date_modification"),
    "date_ct": ("date_controle", "date_controle_technique", "controle"),
    "date_ro": ("date_reconnaissance", "reconnaissance", "date_reco"),
    "prec": ("precision", "classe_precision"),
}
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "type_pei": {
        "poteau": "PI",
        "poteau incendie": "PI",
        "poteau d incendie": "PI",
        "hydrant": "PI",
        "fire hydrant": "PI",
        "bouche": "BI",
        "bouche incendie": "BI",
        "bouche d incendie": "BI",
        "prise d eau sous pression": "BI",
        "point d aspiration": "PA",
        "aspiration": "PA",
        "point de puisage": "PA",
        "puisard": "PA",
        "citerne": "CI",
        "reserve": "CI",
        "reserve incendie": "CI",
        "bache": "CI",
        "citerne enterree": "CI",
    },
    "statut": {"prive": "prive", "privee": "prive", "private": "prive", "publique": "public"},
    "source_pei": {
        "reseau": "reseau_aep",
        "aep": "reseau_aep",
        "riviere": "cours_eau",
        "plan d eau": "plan_eau",
        "irrigation": "reseau_irrigation",
        "bassin": "citerne",
    },
    "prec": {"1": "01", "5": "05"},
}


def pei_fields() -> tuple[TargetField, ...]:
    """Target fields read from the pinned Table Schema."""
    out = []
    for f in load_schema(SCHEMA_FILE)["fields"]:
        c = f.get("constraints", {})
        enum = tuple(c["enum"]) if "enum" in c else None
        out.append(
            TargetField(
                name=f["name"],
                kind=f["type"],
                required=bool(c.get("required")),
                enum=enum,
                synonyms=SYNONYMS.get(f["name"], ()),
                value_synonyms=VALUE_SYNONYMS.get(f["name"], {}),
                description=f.get("title", f.get("description", "")),
                unique=f["name"] == "id_sdis",
                personal=f["name"] == "nom_etab",  # a private owner may be a person
            )
        )
    return tuple(out)


class PeiProfile(Profile):
    key = "pei"
    title: ClassVar[dict[str, str]] = {"fr": "Points d'eau incendie (PEI)", "en": "Fire-fighting water points (PEI)"}
    schema = SchemaRef(
        "datakode/schema-pei", load_schema(SCHEMA_FILE)["version"], "https://gitlab.com/datakode/schema-pei"
    )
    target_epsg = 2154
    product_formats = ("csv",)
    roles = (RoleSpec(role="main", title={"fr": "PEI", "en": "PEI"}, geometry_family="point", fields=pei_fields()),)

    def conform(
        self, dataset: ThemeDataset, mapping: object, report: Report, state: dict[str, Any] | None = None
    ) -> ThemeDataset:
        """Generic conforming, then x/y/lon/lat from the geometry (attributes of the source are not trusted): row by
        row, so ``state`` (streaming) holds no decision of its own."""
        out = super().conform(dataset, mapping, report, state)
        table_layer(out.notes.setdefault("main", {}), state)  # a streamed layer: validated as one (.validation)
        frame = out.frames.get("main")
        if frame is not None:
            out.frames["main"] = with_coordinates(frame)
            for fields in out.field_matches.values():
                for name in COORDINATE_FIELDS:
                    fields[name] = ("geometry", "computed")
        return out

    def table(self, dataset: ThemeDataset) -> tuple[list[str], Iterator[list[str]]]:
        fmt = next(f for f in load_schema(SCHEMA_FILE)["fields"] if f["name"] == "disponible")
        return csv_rows(
            dataset.frames["main"], list(self.roles[0].fields), true_false=(fmt["trueValues"][0], fmt["falseValues"][0])
        )

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
            fmt = next(f for f in load_schema(SCHEMA_FILE)["fields"] if f["name"] == "disponible")
            true_false = (fmt["trueValues"][0], fmt["falseValues"][0])
            # frictionless decides, on the rows a compiled checker flags and a sample (.validation)
            fields = list(self.roles[0].fields)
            layer = streamed_layer(dataset)
            checked = check_table_frame(frame, fields, load_schema(SCHEMA_FILE), true_false=true_false, layer=layer)
        label = f"point-eau-incendie {self.schema.version if self.schema else ''}".strip()
        report_validation(checked.errors, "frictionless", label, dataset.source_names.get("main", "main"), report)
        return validated(dataset, frame, checked)  # (a streamed chunk's CSV product takes its text)

    def write_products(self, dataset: ThemeDataset, out_dir: Path, report: Report) -> list[OutputFile]:
        return write_whole(self.open_products(out_dir, report), dataset)

    def open_products(self, out_dir: Path, report: Report) -> ProductSink:
        """The CSV, written chunk by chunk."""
        fmt = next(f for f in load_schema(SCHEMA_FILE)["fields"] if f["name"] == "disponible")
        csv = CsvProduct(list(self.roles[0].fields), true_false=(fmt["trueValues"][0], fmt["falseValues"][0]))
        return StreamedProducts(out_dir, "pei", "EPSG:2154", [csv])


def with_coordinates(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """x/y in Lambert-93 rounded to 2 decimals (the schema's precision) and lon/lat in WGS 84."""
    frame = frame.copy(deep=False)  # copy-on-write (pandas 3): the caller's frame keeps its columns
    geoms = np.asarray(frame.geometry.values)
    pts = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)  # GEOS has no x for an empty point
    if frame.crs is not None and frame.crs.to_epsg() == 2154:
        from ..checks.crs import transform_arrays  # as products.lonlat imports it

        x, y = _xy(geoms, pts)
        # products.lonlat's own steps on these same x/y (an empty point has none either), its transformer built once
        # per CRS instead of once per chunk (~2 ms)
        lon, lat = transform_arrays(_to_wgs84(frame.crs), x, y)
        lon, lat = np.round(lon, PRECISION), np.round(lat, PRECISION)
    else:
        local = frame.to_crs(2154) if frame.crs is not None else frame
        x, y = _xy(np.asarray(local.geometry.values), pts)
        lon, lat = lonlat(frame)
    for name, values in (("x", np.round(x, 2)), ("y", np.round(y, 2)), ("lon", lon), ("lat", lat)):
        # a float column (NaN where there is no point); a list of None when there is none at all (object column)
        frame[name] = values if not np.isnan(values).all() else [None] * len(values)
    return frame


def _xy(geoms: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points' coordinates, NaN for every other feature (as :func:`.products.lonlat` reads them)."""
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    x[pts], y[pts] = shapely.get_x(geoms[pts]), shapely.get_y(geoms[pts])
    return x, y


@functools.lru_cache(maxsize=8)
def _to_wgs84(crs: CRS) -> Transformer:
    """The transformer :func:`.products.lonlat` builds (pyproj's are thread-safe since 3.1)."""
    return Transformer.from_crs(crs, 4326, always_xy=True)

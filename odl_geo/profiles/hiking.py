"""Hiking trails -> the Etalab schema ``itineraire-randonnee`` (PnX-SI/schema_randonnee).

The product is one GeoJSON FeatureCollection in WGS 84 whose features are LineStrings (the schema allows no other
geometry) with the schema's properties, validated by ``jsonschema`` against the pinned copy of the schema.
The target fields (names, types, required, enumerations) are read from that copy; this module only adds what the
schema cannot say: the names real sources use (Geotrek exports, shapefiles from departmental PDIPR layers...).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely

from ..report import Issue, Severity
from .base import ProductSink, Profile, RoleSpec, SchemaRef, TargetField, ThemeDataset
from .geotrek import flatten_geotrek, recognise_geotrek
from .product_sinks import GeoJSONProduct, StreamedProducts, write_whole
from .products import feature_collection, report_validation
from .schemas import load_schema
from .validation import FeatureCheck, LayerSample, check_feature_frame, keep_rounded_lines

if TYPE_CHECKING:
    from pathlib import Path

    from ..exports.base import OutputFile
    from ..report import Report
    from .validation import Mask

__all__ = ["HikingProfile", "hiking_fields"]

SCHEMA_FILE = "itineraire-randonnee.schema.json"
#: streaming state key (see :meth:`HikingProfile.conform`): the layer's Geotrek decision
GEOTREK_STATE = "hiking.geotrek"
#: streaming state key: the layer's feature count as its source declares it (set by the streaming pass)
LAYER_FEATURES = "layer.features"
#: streaming state key, and the chunk's ``ThemeDataset.notes["main"]`` key: the layer's validation budget
VALIDATION_STATE = "hiking.validation"
#: ``ThemeDataset.notes["main"]`` key: the chunk was validated once (``--drop-invalid`` validates it again)
VALIDATED = "hiking.validated"

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id_local": ("id", "identifiant", "id_itineraire", "id_trek", "code", "pk", "gid", "objectid"),
    "producteur": ("producer", "structure", "organisme", "auteur", "source"),
    "contact": ("email", "mail", "courriel"),
    "url": ("lien", "link", "site_web", "website", "fiche"),
    "nom_itineraire": ("nom", "name", "titre", "title", "libelle", "nom_circuit", "nom_sentier", "itineraire"),
    "pratique": ("practice", "activite", "activity", "type_pratique", "usage", "mode"),
    "type_itineraire": ("route", "type", "type_parcours", "forme", "parcours"),
    "communes_nom": ("communes", "commune", "cities", "city"),
    "communes_code": ("code_insee", "insee", "codes_insee", "communes_insee"),
    "depart": ("departure", "start", "point_depart", "lieu_depart"),
    "arrivee": ("arrival", "end", "point_arrivee", "lieu_arrivee"),
    "duree": ("duration", "duree_h", "temps", "duree_heures"),
    "balisage": ("marking", "signaletique", "balise"),
    "longueur": ("length", "length_2d", "longueur_m", "distance", "long_m"),
    "difficulte": ("difficulty", "niveau", "cotation"),
    "altitude_max": ("max_elevation", "alt_max", "altitude_maximale"),
    "altitude_min": ("min_elevation", "alt_min", "altitude_minimale"),
    "denivele_positif": ("ascent", "d_plus", "denivele", "denivele_plus"),
    "denivele_negatif": ("descent", "d_moins", "denivele_moins"),
    "instructions": ("description", "descriptif", "itineraire_detaille", "pas_a_pas"),
    "presentation": ("ambiance", "presentation_longue"),
    "presentation_courte": ("description_teaser", "chapeau", "resume", "accroche"),
    "themes": ("theme", "mots_cles", "keywords"),
    "recommandations": ("advice", "conseils", "recommandation"),
    "accessibilite": ("accessibility", "accessibilites"),
    "acces_routier": ("access", "acces"),
    "transports_commun": ("transports", "public_transport", "transport", "transports_en_commun"),
    "parking_info": ("advised_parking", "parking"),
    "parking_geometrie": ("parking_location", "parking_wkt"),
    "date_creation": ("date_insert", "created", "date_crea", "creation"),
    "date_modification": ("date_update", "modified", "date_maj", "date_modif"),
    "itineraire_parent": ("parent", "parents", "id_parent"),
    "type_sol": ("revetement", "surface"),
}
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "pratique": {
        "pedestre": "pédestre",
        "randonnee pedestre": "pédestre",
        "rando pedestre": "pédestre",
        "marche": "pédestre",
        "a pied": "pédestre",
        "pedestrian": "pédestre",
        "hiking": "pédestre",
        "walking": "pédestre",
        "velo": "cyclo",
        "cyclotourisme": "cyclo",
        "cycling": "cyclo",
        "vtt": "VTT",
        "mountain bike": "VTT",
        "cheval": "équestre",
        "equestre": "équestre",
        "horse": "équestre",
        "randonnee equestre": "équestre",
        "raquette": "raquettes",
        "snowshoes": "raquettes",
        "ski nordique": "ski de fond",
        "trail running": "trail",
    },
    "type_itineraire": {
        "loop": "boucle",
        "circuit": "boucle",
        "aller retour": "aller-retour",
        "return": "aller-retour",
        "one way": "aller simple",
        "lineaire": "aller simple",
        "itinerance": "itinérance",
        "etape": "étape",
        "step": "étape",
        "traversee": "aller simple",  # Geotrek's "Traversée"
    },
}
_KIND = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "array": "array"}


def hiking_fields() -> tuple[TargetField, ...]:
    """Target fields read from the pinned schema (order, types, required, enumerations)."""
    schema = load_schema(SCHEMA_FILE)
    props = schema["definitions"]["properties_randonnee"]
    required = set(props["required"])
    out = []
    for name, spec in props["properties"].items():
        types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        main = next(t for t in types if t != "null")
        kind = "date" if spec.get("format") == "date" else _KIND.get(main, "string")
        enum = tuple(spec["enum"]) if "enum" in spec else None
        out.append(
            TargetField(
                name=name,
                kind=kind,
                required=name in required,
                enum=enum,
                synonyms=SYNONYMS.get(name, ()),
                value_synonyms=VALUE_SYNONYMS.get(name, {}),
                description=spec.get("title", ""),
                unique=name == "id_local",
            )
        )
    return tuple(out)


class HikingProfile(Profile):
    key = "hiking"
    title: ClassVar[dict[str, str]] = {"fr": "Itinéraires de randonnée", "en": "Hiking trails"}
    schema = SchemaRef(
        "PnX-SI/schema_randonnee", load_schema(SCHEMA_FILE)["version"], "https://github.com/PnX-SI/schema_randonnee"
    )
    target_epsg = 4326
    decode_html = True
    product_formats = ("geojson",)
    roles = (
        RoleSpec(
            role="main",
            title={"fr": "Itinéraires", "en": "Trails"},
            geometry_family="line",
            fields=hiking_fields(),
        ),
    )

    def conform(
        self, dataset: ThemeDataset, mapping: object, report: Report, state: dict[str, Any] | None = None
    ) -> ThemeDataset:
        """Geotrek's nested objects flattened (:mod:`.geotrek`), generic conforming, then every geometry as one
        LineString: the schema accepts nothing else.

        :param state: streaming (one dict per layer, the same for all its chunks): whether the layer is a Geotrek
            export, and which of its columns hold objects, is decided on the first chunk with features and kept
            here (``state["hiking.geotrek"]``), so that every chunk is read alike; GEOTREK_RECOGNISED is reported
            once. None: decided on ``dataset`` (a whole layer). The layer's validation budget
            (:class:`.validation.LayerSample`) is kept there too, and handed to :meth:`validate` with each chunk.
        """
        frame = dataset.frames.get("main")
        if frame is not None and len(frame):
            decided = None if state is None else state.get(GEOTREK_STATE)
            found = recognise_geotrek(frame) if decided is None else decided or None
            if state is not None and decided is None:
                state[GEOTREK_STATE] = found or False  # False: not a Geotrek export, decided
            flat, columns = flatten_geotrek(frame, found) if found is not None else (frame, [])
            if columns:
                dataset = replace(dataset, frames={**dataset.frames, "main": flat})
            if columns and decided is None:
                names = ", ".join(columns)
                report.add(
                    Issue(
                        "GEOTREK_RECOGNISED",
                        Severity.INFO,
                        f"A Geotrek export: the objects of {names} were read as their labels (structure: its name, "
                        "cities: their INSEE codes and names).",
                        layer=dataset.source_names.get("main", "main"),
                        count=len(columns),
                        message_fr=f"Export Geotrek : les objets de {names} ont été lus comme leurs libellés "
                        "(structure : son nom, cities : leurs codes INSEE et leurs noms).",
                    )
                )
        out = super().conform(dataset, mapping, report, state)
        if state is not None:
            sample = state.setdefault(VALIDATION_STATE, LayerSample(state.get(LAYER_FEATURES)))
            out.notes.setdefault("main", {})[VALIDATION_STATE] = sample
        frame = out.frames.get("main")
        if frame is not None and len(frame):
            layer = out.source_names.get("main", "main")
            merged, n_merged, still_multi = merge_lines(np.asarray(frame.geometry.values))
            frame = frame.copy(deep=False)  # set_geometry would copy every column (copy-on-write keeps the caller's)
            frame.set_geometry(merged, crs=frame.crs, inplace=True)
            out.frames["main"] = frame
            if n_merged:
                report.add(
                    Issue("LINES_MERGED", Severity.INFO, "", layer=layer, count=n_merged).counted(
                        "{n} multi-part {n:line|lines} joined into one LineString, as the schema requires.",
                        "{n} {n:ligne|lignes} en plusieurs parties {n:jointe|jointes} en une LineString, comme le "
                        "schéma l'exige.",
                        n=n_merged,
                    )
                )
            if still_multi.size:
                report.add(
                    Issue(
                        "LINES_NOT_CONNECTED",
                        Severity.ERROR,
                        "",
                        "Join the parts in a GIS (or split the trail into stages) and run again.",
                        layer=layer,
                        count=int(still_multi.size),
                        examples=still_multi.tolist(),
                        hint_fr="Raccordez les morceaux dans un SIG (ou découpez l'itinéraire en étapes), puis "
                        "relancez.",
                    ).counted(
                        "{n} {n:trail is|trails are} made of parts that do not connect; the schema needs one "
                        "LineString per trail.",
                        "{n} {n:itinéraire est formé|itinéraires sont formés} de morceaux non raccordés ; le schéma "
                        "exige une seule LineString par itinéraire.",
                        n=int(still_multi.size),
                    )
                )
        return out

    def feature_collection(self, dataset: ThemeDataset) -> dict[str, Any]:
        """The product's FeatureCollection as Python objects, for ``jsonschema`` (the product file is written
        column-wise, :meth:`open_products`). Not kept: with chunks, the previous chunk's collection would stay
        alive while the next one is built."""
        return feature_collection(dataset.frames["main"], list(self.roles[0].fields))

    def validate(self, dataset: ThemeDataset, report: Report) -> None:
        self.validate_table(dataset, report)

    def validate_table(
        self, dataset: ThemeDataset, report: Report, earlier: Any = None, keep: Mask | None = None
    ) -> FeatureCheck | None:
        """:meth:`validate`, its compiled checker's verdicts kept for ``--drop-invalid``
        (:class:`.validation.ValidatesOnce`): ``earlier``, this chunk's validation before only its ``keep``
        features were kept."""
        if "main" not in dataset.frames:
            return None
        # jsonschema decides, on the features a compiled checker flags and a sample (.validation); a streamed
        # chunk with its layer's budget, validated a second time after features were left out (--drop-invalid)
        notes = dataset.notes.setdefault("main", {})
        layer = notes.get(VALIDATION_STATE)
        frame = dataset.frames["main"]
        checked = check_feature_frame(
            frame,
            list(self.roles[0].fields),
            load_schema(SCHEMA_FILE),
            layer if isinstance(layer, LayerSample) else None,
            again=bool(notes.get(VALIDATED)),
            flags=earlier.kept(keep, len(frame)) if isinstance(earlier, FeatureCheck) else None,
        )
        notes[VALIDATED] = True
        if isinstance(layer, LayerSample):  # a streamed chunk: its GeoJSON product takes the lines rounded here
            rounded = checked.rounded
            if rounded is None and isinstance(earlier, FeatureCheck) and earlier.rounded is not None:
                kept = np.asarray(keep, dtype=bool) if keep is not None else None
                if kept is not None and len(kept) == len(earlier.rounded) and int(kept.sum()) == len(frame):
                    rounded = checked.rounded = earlier.rounded[kept]
            keep_rounded_lines(notes, frame, rounded)
        label = f"itineraire-randonnee {self.schema.version if self.schema else ''}".strip()
        report_validation(checked.errors, "jsonschema", label, dataset.source_names.get("main", "main"), report)
        return checked

    def write_products(self, dataset: ThemeDataset, out_dir: Path, report: Report) -> list[OutputFile]:
        return write_whole(self.open_products(out_dir, report), dataset)

    def open_products(self, out_dir: Path, report: Report) -> ProductSink:
        """The FeatureCollection, written chunk by chunk (column-wise: the same text as :meth:`feature_collection`
        dumped by ``json``)."""
        product = GeoJSONProduct(list(self.roles[0].fields), "LineString")
        return StreamedProducts(out_dir, "itineraire-randonnee", "EPSG:4326", [product])


def merge_lines(geoms: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """MultiLineStrings as LineStrings where their parts connect (identical parts counted once).

    :returns: the geometries, how many were merged, the indexes still multi-part.
    """
    out = geoms.copy()
    multi = np.flatnonzero(shapely.get_type_id(geoms) == 5)
    merged = 0
    left = []
    for i in multi:
        g = shapely.line_merge(geoms[i])
        if g.geom_type != "LineString":
            parts = shapely.get_parts(geoms[i])
            unique = {shapely.to_wkb(shapely.normalize(p)): p for p in parts}
            g = (
                shapely.line_merge(shapely.MultiLineString(list(unique.values())))
                if len(unique) > 1
                else next(iter(unique.values()))
            )
        if g.geom_type == "LineString":
            out[i] = g
            merged += 1
        else:
            left.append(i)
    return out, merged, np.array(left, dtype=int)

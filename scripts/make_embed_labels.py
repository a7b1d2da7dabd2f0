#!/usr/bin/env python3
"""Write web/src/labels.json: the field labels ``<odl-map>`` shows in its feature-info popup ({field: {fr, en}}).

The fields are those the theme profiles declare (hiking, water, pei, flood), so the popup speaks the schemas'
language; the French label is the profile's description shortened to a label when no shorter one is set here,
the English one comes from the table below (else the field name made readable). ``--check`` exits 1 when the
committed file is out of date (a unit test runs it), so a new profile field cannot be forgotten.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "web" / "src" / "labels.json"

#: field -> (fr, en) when the profile's description is too long for a label or absent (flood fields)
SHORT: dict[str, tuple[str, str]] = {
    "id_local": ("Identifiant local", "Local identifier"),
    "producteur": ("Producteur", "Producer"),
    "contact": ("Contact", "Contact"),
    "uuid": ("Identifiant UUID", "UUID"),
    "url": ("Fiche source", "Source page"),
    "id_osm": ("Relation OSM", "OSM relation"),
    "nom_itineraire": ("Nom de l'itinéraire", "Route name"),
    "pratique": ("Pratique", "Activity"),
    "type_itineraire": ("Type d'itinéraire", "Route type"),
    "communes_nom": ("Communes traversées", "Municipalities crossed"),
    "communes_code": ("Codes INSEE des communes", "Municipality INSEE codes"),
    "depart": ("Départ", "Start"),
    "arrivee": ("Arrivée", "Finish"),
    "duree": ("Durée (heures)", "Duration (hours)"),
    "balisage": ("Balisage", "Waymarking"),
    "longueur": ("Longueur (m)", "Length (m)"),
    "difficulte": ("Difficulté", "Difficulty"),
    "altitude_max": ("Altitude maximale (m)", "Maximum altitude (m)"),
    "altitude_min": ("Altitude minimale (m)", "Minimum altitude (m)"),
    "denivele_positif": ("Dénivelé positif (m)", "Elevation gain (m)"),
    "denivele_negatif": ("Dénivelé négatif (m)", "Elevation loss (m)"),
    "instructions": ("Instructions", "Directions"),
    "presentation": ("Présentation", "Description"),
    "presentation_courte": ("Présentation courte", "Short description"),
    "themes": ("Thèmes", "Themes"),
    "recommandations": ("Recommandations", "Recommendations"),
    "accessibilite": ("Accessibilité", "Accessibility"),
    "acces_routier": ("Accès routier", "Road access"),
    "transports_commun": ("Transports en commun", "Public transport"),
    "parking_info": ("Parking", "Parking"),
    "parking_geometrie": ("Localisation du parking", "Parking location"),
    "date_creation": ("Date de création", "Creation date"),
    "date_modification": ("Date de modification", "Modification date"),
    "medias": ("Médias", "Media"),
    "itineraire_parent": ("Itinéraire parent", "Parent route"),
    "type_sol": ("Types de sol", "Ground types"),
    "pdipr_inscription": ("Inscrit au PDIPR", "Listed in the PDIPR"),
    "pdipr_date_inscription": ("Date d'inscription au PDIPR", "PDIPR listing date"),
    "nom": ("Nom", "Name"),
    "type_point": ("Nature du point d'eau", "Water point type"),
    "nombre": ("Nombre d'équipements", "Number of fittings"),
    "categorie_site": ("Type de lieu", "Site type"),
    "insee": ("Code INSEE", "INSEE code"),
    "commune": ("Commune", "Municipality"),
    "gestionnaire": ("Gestionnaire", "Operator"),
    "potable": ("Eau potable", "Drinking water"),
    "etat": ("État", "Status"),
    "date_mes": ("Date de mise en service", "Commissioning date"),
    "date_maj": ("Date de mise à jour", "Update date"),
    "remarque": ("Remarque", "Remark"),
    "proprietaire": ("Propriétaire", "Owner"),
    "telephone": ("Téléphone", "Phone"),
    "courriel": ("Courriel", "E-mail"),
    "id_sdis": ("Identifiant SDIS", "Fire service identifier"),
    "id_gestion": ("Identifiant du gestionnaire", "Operator identifier"),
    "nom_gest": ("Gestionnaire", "Operator"),
    "ref_terr": ("Référence sur le terrain", "On-site reference"),
    "type_pei": ("Type de point d'eau incendie", "Fire water point type"),
    "type_rd": ("Précision du type", "Type detail"),
    "diam_pei": ("Diamètre (mm)", "Diameter (mm)"),
    "diam_cana": ("Diamètre de la canalisation (mm)", "Pipe diameter (mm)"),
    "source_pei": ("Source", "Source"),
    "statut": ("Statut", "Status"),
    "nom_etab": ("Établissement", "Establishment"),
    "situation": ("Situation", "Location"),
    "press_dyn": ("Pression dynamique (bar)", "Dynamic pressure (bar)"),
    "press_stat": ("Pression statique (bar)", "Static pressure (bar)"),
    "debit": ("Débit (m³/h)", "Flow (m³/h)"),
    "volume": ("Volume (m³)", "Volume (m³)"),
    "disponible": ("Disponible", "Available"),
    "date_dispo": ("Date de disponibilité", "Availability date"),
    "date_ct": ("Dernier contrôle technique", "Last technical check"),
    "date_ro": ("Dernière reconnaissance opérationnelle", "Last operational check"),
    "prec": ("Précision", "Accuracy"),
    "x": ("X (Lambert 93)", "X (Lambert 93)"),
    "y": ("Y (Lambert 93)", "Y (Lambert 93)"),
    "lon": ("Longitude", "Longitude"),
    "lat": ("Latitude", "Latitude"),
    "id_gaspar": ("Identifiant GASPAR", "GASPAR identifier"),
    "type": ("Type", "Type"),
    "datevalid": ("Date de validité", "Validity date"),
    "id_zone": ("Identifiant de zone", "Zone identifier"),
    "coderisque": ("Code du risque", "Hazard code"),
    "nivalea_std": ("Niveau d'aléa", "Hazard level"),
    "descript": ("Description", "Description"),
    "multi_alea": ("Multi-aléa", "Multi-hazard"),
    "codezone": ("Code de zone", "Zone code"),
    "typereg": ("Type de réglementation", "Regulation type"),
    "dateappro": ("Date d'approbation", "Approval date"),
    "dateprescr": ("Date de prescription", "Prescription date"),
    "site_web": ("Site web", "Website"),
    "typeppr": ("Type de PPR", "Risk plan type"),
    "codeprocedure": ("Code de procédure", "Procedure code"),
    "typeprocedure": ("Type de procédure", "Procedure type"),
    "libelleprocedure": ("Procédure", "Procedure"),
    "etatprocedure": ("État de la procédure", "Procedure status"),
    "dateetat": ("Date de l'état", "Status date"),
    "metadata_xml": ("Métadonnées", "Metadata"),
}


def _readable(name: str) -> str:
    return re.sub(r"_+", " ", name).strip().capitalize()


def build() -> dict[str, dict[str, str]]:
    """{field: {"fr", "en"}} for every field of every theme profile, sorted by field name."""
    from odl_geo.profiles.registry import load_profile, theme_keys

    labels: dict[str, dict[str, str]] = {}
    for theme in theme_keys():
        for role in load_profile(theme).roles:
            for f in role.fields:
                if f.name in labels:
                    continue
                fr, en = SHORT.get(f.name, ("", ""))
                fr = fr or re.split(r" \(|, ", f.description or "")[0].strip() or _readable(f.name)
                labels[f.name] = {"fr": fr, "en": en or _readable(f.name)}
    return dict(sorted(labels.items()))


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when web/src/labels.json is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(REPO)} is out of date: run python scripts/make_embed_labels.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(REPO)} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({text.count(chr(10)) - 2} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

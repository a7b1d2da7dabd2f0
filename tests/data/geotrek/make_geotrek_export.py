"""Write geotrek_treks.geojson: a Geotrek export of three treks, built from Geotrek's documented formats.

Geotrek (Geotrek-admin, the trail software of most French national and regional parks) serves its treks as GeoJSON
whose properties hold nested objects rather than plain values (Geotrek-rando's ``treks.geojson``, and the API v2
``/api/v2/trek/`` with related objects expanded): ``practice``, ``route``, ``difficulty`` are
``{"id": 4, "pictogram": "...", "label": "Pédestre"}``, ``themes`` and ``networks`` lists of such objects,
``structure`` ``{"id": 1, "name": "..."}`` (API v2 ``StructureSerializer``), ``cities`` ``{"code", "name"}``
objects. API v2 names some labels differently (``PracticeSerializer``: ``name``; ``RouteSerializer``: ``route``),
so the second trek uses those keys. Field names are Geotrek's (``name``, ``departure``, ``length``, ``ascent``,
``description_teaser``...). The line shapes and texts come from the Cévennes sample (examples/hiking), the rest
is made up. Run it again to rebuild the file (deterministic)::

    .venv/bin/python tests/data/geotrek/make_geotrek_export.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2] / "examples" / "hiking" / "cevennes_itineraires.json"
OUT = HERE / "geotrek_treks.geojson"
PICTO = "https://geotrek.example.org/media/upload/{}.svg"


def _obj(kind: str, ident: int, label: str, key: str = "label") -> dict[str, object]:
    return {"id": ident, "pictogram": PICTO.format(f"{kind}-{ident}"), key: label}


def main() -> None:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))["features"]
    treks = [
        (2451, "Sentier de Coudoulous", _obj("practice", 4, "Pédestre"), _obj("route", 1, "Boucle"),
         _obj("difficulty", 1, "Très facile"), [_obj("theme", 7, "Histoire et culture"), _obj("theme", 3, "Faune")],
         [{"code": "30080", "name": "Chamborigaud"}, {"code": "48051", "name": "Le Collet-de-Dèze"}]),
        (2452, "Le roc des Hourtous", _obj("practice", 4, "Pédestre", key="name"),
         _obj("route", 2, "Aller-retour", key="route"), _obj("difficulty", 4, "Difficile"),
         [_obj("theme", 2, "Géologie")], [{"code": "48088", "name": "La Malène"}]),
        (2453, "Tour du causse en VTT", _obj("practice", 6, "VTT"), _obj("route", 1, "Boucle"),
         _obj("difficulty", 3, "Moyen"), [], [{"code": "48061", "name": "Florac Trois Rivières"}]),
    ]  # fmt: skip
    features = []
    for (ident, name, practice, route, difficulty, themes, cities), src in zip(treks, sample, strict=False):
        p = src["properties"]
        features.append({
            "type": "Feature",
            "geometry": src["geometry"],
            "properties": {
                "id": ident,
                "uuid": f"5b0e54c8-1ef6-4a5c-9d3e-0000000{ident}",
                "name": name,
                "structure": {"id": 1, "name": "Parc national des Cévennes"},
                "practice": practice,
                "route": route,
                "difficulty": difficulty,
                "themes": themes,
                "networks": [_obj("network", 1, "PR")],
                "cities": cities,
                "departure": p.get("depart") or "Parking",
                "arrival": p.get("arrivee") or "Parking",
                "duration": p.get("duree"),
                "length": p.get("longueur"),
                "ascent": p.get("denivele_positif"),
                "descent": p.get("denivele_negatif"),
                "min_elevation": p.get("altitude_min"),
                "max_elevation": p.get("altitude_max"),
                "description_teaser": p.get("presentation_courte"),
                "description": p.get("instructions"),
                "ambiance": p.get("presentation"),
                "advice": p.get("recommandations"),
                "published": True,
            },
        })  # fmt: skip
    doc = {"type": "FeatureCollection", "features": features}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(features)} treks)")


if __name__ == "__main__":
    main()
